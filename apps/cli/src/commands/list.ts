import type { ListItem, ListOptions } from "@coffer/core";
import type { CommandHandler } from "../cli/command-spec.js";
import { booleanFlag, defined, listFlag, scopeKindFlag, stringFlag } from "../cli/flag-values.js";
import { decayLabel, tagsText } from "../cli/secret-view-lines.js";
import { renderTable } from "../cli/table.js";

function statusOf(item: ListItem): string {
  const parts: string[] = [];
  if (item.deletedAt) parts.push(`deleted${item.purgeAt ? `, purge ${item.purgeAt.slice(0, 10)}` : ""}`);
  const decay = decayLabel(item.decay);
  if (decay) parts.push(decay);
  if (item.shadowed) parts.push("shadowed");
  if (item.writeOnly) parts.push("write-only");
  return parts.join(", ");
}

/** `coffer list`: every matching secret across providers, metadata only. */
export const listCommand: CommandHandler = async (ctx, args) => {
  const coffer = await ctx.coffer();
  const options: ListOptions = defined({
    pattern: stringFlag(args, "pattern"),
    provider: stringFlag(args, "provider"),
    scope: scopeKindFlag(args),
    tags: listFlag(args, "tags"),
    env: stringFlag(args, "env"),
    includeExpired: booleanFlag(args, "include-expired") || undefined,
    includeDeleted: booleanFlag(args, "include-deleted") || undefined,
    limit: 1000,
  });
  const items: ListItem[] = [];
  const errors: Awaited<ReturnType<typeof coffer.list>>["errors"] = [];
  let cursor: string | undefined;
  do {
    const page = await coffer.list(cursor ? { ...options, cursor } : options);
    items.push(...page.items);
    if (!cursor) errors.push(...page.errors);
    cursor = page.nextCursor;
  } while (cursor);
  for (const e of errors) ctx.warn(`provider ${e.provider} could not be listed: ${e.message ?? e.code ?? "error"}`);

  const lines = [`Secrets (${items.length} total):`, ""];
  if (items.length > 0) {
    const withEnvs = items.some((i) => i.envs.some((e) => e !== "default"));
    const headers = ["Name", "Provider", "Version", "Scope", "Tags", ...(withEnvs ? ["Envs"] : []), "Status"];
    const rows = items.map((i) => [
      i.name,
      i.provider,
      String(i.version),
      i.scopeLabel,
      tagsText(i.tags),
      ...(withEnvs ? [i.envs.join(", ")] : []),
      statusOf(i),
    ]);
    lines.push(...renderTable(headers, rows, ctx.terminal.width));
    if (items.some((i) => i.shadowed)) {
      lines.push(
        "",
        ctx.style.dim("shadowed: a higher-priority provider holds the same name and scope; this copy is not read"),
      );
    }
  } else {
    lines.push("No secrets match. Store one with: coffer set NAME");
  }
  return { data: { items, total: items.length, errors }, lines };
};
