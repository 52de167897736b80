import { resolve } from "node:path";
import { type AuditEntry, type AuditQuery, type Coffer, CofferError, exportAuditJsonl } from "@coffer/core";
import type { CommandContext } from "../cli/command-context.js";
import type { CommandOutcome } from "../cli/command-spec.js";
import { writePrivateFile } from "../cli/private-file.js";
import { writeStdout } from "../cli/stdout.js";

/** Entries fetched per audit query (the store's largest page). */
const PAGE = 10_000;

/** Every entry matching `filter` (at most `limit`), oldest first, paging backwards through the log. */
async function collectEntries(coffer: Coffer, filter: AuditQuery, limit: number | undefined): Promise<AuditEntry[]> {
  const newestFirst: AuditEntry[] = [];
  let beforeSeq: number | undefined;
  for (;;) {
    const want = limit === undefined ? PAGE : Math.min(PAGE, limit - newestFirst.length);
    if (want <= 0) break;
    const page = await coffer.audit({ ...filter, limit: want, ...(beforeSeq !== undefined ? { beforeSeq } : {}) });
    newestFirst.push(...page);
    if (page.length < want) break;
    beforeSeq = page[page.length - 1]!.seq;
  }
  return newestFirst.reverse();
}

/**
 * `coffer audit --export jsonl [--output FILE]`: the matching entries as JSON Lines, oldest
 * first, to stdout or to a new file of mode 0600. Entries never hold values.
 * @throws CofferError INVALID_ARGUMENT for a format other than jsonl, or --json without --output
 */
export async function exportAudit(
  ctx: CommandContext,
  format: string,
  filter: AuditQuery,
  limit: number | undefined,
  output: string | undefined,
): Promise<CommandOutcome> {
  if (format !== "jsonl") {
    throw new CofferError("INVALID_ARGUMENT", "--export takes jsonl (JSON Lines)", { field: "export" });
  }
  if (output === undefined && ctx.json) {
    throw new CofferError("INVALID_ARGUMENT", "--export writes JSON Lines to stdout; with --json, give --output FILE", {
      field: "output",
    });
  }
  const entries = await collectEntries(await ctx.coffer(), filter, limit);
  const text = exportAuditJsonl(entries);
  if (output === undefined) {
    writeStdout(text);
    return { data: null, streamed: true };
  }
  const path = resolve(ctx.cwd, output);
  writePrivateFile(path, text);
  return {
    data: { file: path, entries: entries.length, format: "jsonl" },
    lines: [`${ctx.style.green("✓")} Exported ${entries.length} audit entries to ${path} (JSON Lines, mode 0600)`],
  };
}
