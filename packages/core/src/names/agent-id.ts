import { CofferError } from "../errors/index.js";

/** The rule for agent ids (and team, org and scope ids): a letter or digit, then letters, digits, `_ . @ : -`, 1-128 characters. */
export const AGENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.@:-]{0,127}$/;
/** Text of {@link AGENT_ID_PATTERN}, quoted in error messages. */
export const AGENT_ID_RULE_TEXT = "[A-Za-z0-9][A-Za-z0-9_.@:-]* (1-128 characters)";

/** True when the text is a valid agent id. */
export function isValidAgentId(id: unknown): id is string {
  return typeof id === "string" && AGENT_ID_PATTERN.test(id);
}

/**
 * Check an agent id (`--agent-id`, `COFFER_AGENT_ID`, `allowedAgentIds`, `mcp.http.tokens`).
 * `field` names the input in the message.
 * @throws CofferError INVALID_ARGUMENT (or `code`, e.g. CONFIG for a config file) quoting the rule
 */
export function validateAgentId(
  id: unknown,
  field = "agentId",
  code: "INVALID_ARGUMENT" | "CONFIG" = "INVALID_ARGUMENT",
): string {
  if (!isValidAgentId(id)) throw new CofferError(code, `${field} must match ${AGENT_ID_RULE_TEXT}`, { field });
  return id;
}
