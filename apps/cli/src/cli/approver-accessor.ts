import { type Accessor, CofferError, isCofferError } from "@coffer/core";

/**
 * Environment variables that mark a shell started by an AI agent: the agent id they imply.
 * `COFFER_AGENT_ID` is Coffer's own; `CLAUDECODE=1` is set by Claude Code in its shell tool.
 */
const AGENT_SESSION_MARKERS: Array<{ variable: string; agentId: (value: string) => string | undefined }> = [
  { variable: "COFFER_AGENT_ID", agentId: (v) => (v.trim() !== "" ? v.trim().slice(0, 128) : undefined) },
  { variable: "CLAUDECODE", agentId: (v) => (v === "1" ? "claude-code" : undefined) },
];

/**
 * Who is governing (approving a request, adding or removing a hook): the OS user at the CLI,
 * unless the environment shows the command runs inside an agent's shell session, in which case
 * it is that agent, and the core refuses it (approvals and hook changes need a human). A
 * safety net, not a boundary: a program running as you can still act as you.
 */
export function governingAccessor(env: NodeJS.ProcessEnv, user: Accessor): Accessor {
  const session = agentSession(env);
  return session ? { id: session.agentId, kind: "agent", frontEnd: "cli" } : user;
}

/** The agent session the environment marks, if any: the variable that marks it and the agent id. */
export function agentSession(env: NodeJS.ProcessEnv): { variable: string; agentId: string } | undefined {
  for (const marker of AGENT_SESSION_MARKERS) {
    const value = env[marker.variable];
    const agentId = value === undefined ? undefined : marker.agentId(value);
    if (agentId !== undefined) return { variable: marker.variable, agentId };
  }
  return undefined;
}

/**
 * A refusal of a governing action, with a hint naming the variable that made the CLI act as an
 * agent (so a person who exported COFFER_AGENT_ID for coffer-mcp knows why).
 */
export function explainAgentSession(err: unknown, env: NodeJS.ProcessEnv): unknown {
  const session = agentSession(env);
  if (!session || !isCofferError(err) || err.code !== "PERMISSION_DENIED") return err;
  return new CofferError("PERMISSION_DENIED", err.message, {
    ...err.details,
    hint: `${session.variable} is set, so this shell counts as agent '${session.agentId}'; run the command from your own terminal without it`,
  });
}
