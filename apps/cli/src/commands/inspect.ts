import type { CommandHandler } from "../cli/command-spec.js";
import { defined, scopeFlag, stringFlag } from "../cli/flag-values.js";
import { formatSpan } from "../cli/format-span.js";
import { decayNote, tagsText } from "../cli/secret-view-lines.js";
import { renderTable } from "../cli/table.js";

/** `coffer inspect <name>`: every piece of metadata, never the value. */
export const inspectCommand: CommandHandler = async (ctx, args) => {
  const name = args.positionals[0]!;
  const coffer = await ctx.coffer();
  const inspection = await coffer.inspect(
    name,
    defined({ ...scopeFlag(args, ctx.cwd), provider: stringFlag(args, "provider"), env: stringFlag(args, "env") }),
  );
  const { states } = inspection;
  const inForce = (s: (typeof states)[number]) => (s.env ?? "default") === inspection.stateInForce;
  const main = states.find(inForce) ?? states.find((s) => s.env === undefined) ?? states[0];
  const lines = [`Secret: ${inspection.name}`, `Provider: ${inspection.provider}`, `Scope: ${inspection.scopeLabel}`];
  lines.push(
    `Env in force: ${inspection.envInForce ?? "default"}${inspection.stateInForce ? ` (reads return the ${inspection.stateInForce} state)` : " (no state for it: reads fail)"}`,
  );
  if (main) {
    lines.push(`Tags: ${tagsText(main.tags)}`);
    if (main.description) lines.push(`Description: ${main.description}`);
    lines.push(`Encoding: ${main.encoding}`);
    if (main.writeOnly) lines.push("Write-only: yes");
    if (main.rotationFormat)
      lines.push(
        `Rotation format: ${main.rotationFormat}${main.rotationPrefix ? ` (prefix ${main.rotationPrefix})` : ""}`,
      );
    if (main.allowedAgentIds?.length) lines.push(`Allowed agents: ${main.allowedAgentIds.join(", ")}`);
    if (main.ttlSeconds) lines.push(`TTL: ${formatSpan(main.ttlSeconds)}`);
    if (main.expiresAt) lines.push(`Expires: ${main.expiresAt}`);
  }
  lines.push(
    `Access count: ${inspection.accessCount}${inspection.lastAccess ? ` (last ${inspection.lastAccess})` : ""}`,
  );
  lines.push(`Entangled with: ${inspection.entangledWith.length > 0 ? inspection.entangledWith.join(", ") : "-"}`);
  lines.push("", "States:");
  lines.push(
    ...renderTable(
      ["Env", "Version", "Updated", "Decay", "Expires"],
      states.map((s) => [
        `${s.env ?? "default"}${inForce(s) ? " *" : ""}`,
        String(s.version),
        s.updatedAt,
        s.decay.state + (s.decay.fractionUsed !== undefined ? ` (${Math.round(s.decay.fractionUsed * 100)}%)` : ""),
        s.decay.expiresAt ?? s.decay.ttlExpiresAt ?? "-",
      ]),
      ctx.terminal.width,
    ),
  );
  if (inspection.versions.length > 0) {
    lines.push("", `Versions (${inspection.versionsOf} state):`);
    lines.push(
      ...renderTable(
        ["Version", "Created", "Reason", "Valid until"],
        inspection.versions.map((v) => [
          `${v.version}${v.current ? " (current)" : ""}`,
          v.createdAt,
          v.reason ?? "-",
          v.current ? "-" : (v.validUntil ?? "-"),
        ]),
        ctx.terminal.width,
      ),
    );
  }
  for (const s of states) {
    const note = decayNote(s.env ? `${inspection.name}@${s.env}` : inspection.name, s.decay, ctx.style);
    if (note) lines.push("", note);
  }
  // Views carry a masked placeholder; inspect shows no value at all.
  const data = { ...inspection, states: states.map(({ maskedValue: _m, ...rest }) => rest) };
  return { data, lines };
};
