import { formatDotenv } from "../dotenv/format-dotenv.js";
import { scanDotenv } from "../dotenv/parse-dotenv.js";
import { CofferError } from "../errors/index.js";
import type { Coffer, ImportReport, ScopeInput } from "../service/types.js";
import { formatReference, isReference, type ReferenceScope, type SecretReference } from "./secret-reference.js";

/** Options of {@link migrateDotenv}. */
export interface MigrateDotenvOptions {
  /** Scope to store the values in. @default project (of the service's directory) */
  scope?: ReferenceScope;
  /** Env state to store the values as (and pin in the references). */
  env?: string;
  /** Provider to write to. @default the default provider */
  provider?: string;
  /** Replace stored secrets whose value differs. @default false (a difference is a CONFLICT) */
  overwrite?: boolean;
  /** Only plan: store nothing and return the text unchanged. @default false */
  dryRun?: boolean;
}

/** What happens (or would happen) to one variable of the file. Never a value. */
export interface MigrationItem {
  /** Variable (= secret) name. */
  key: string;
  /** Lines of the file assigning it. */
  lines: number[];
  /**
   * `create`: stored as a new secret; `unchanged`: already stored with this value; `update`:
   * stored, replacing a different value (only with `overwrite`); `reference`: already a
   * reference, left alone; `empty`: empty value, left alone.
   */
  action: "create" | "unchanged" | "update" | "reference" | "empty";
  /** The reference the value is (or would be) replaced with. */
  reference?: string;
}

/** Result of {@link migrateDotenv}. */
export interface MigrationResult {
  /** Per variable, in file order of first appearance. */
  items: MigrationItem[];
  /** The rewritten text (the input itself for a dry run or when nothing changes). */
  text: string;
  /** True when `text` differs from the input. */
  changed: boolean;
  /** Non-fatal findings (names and lines, never values). */
  warnings: string[];
}

function scopeInput(scope: ReferenceScope | undefined): ScopeInput {
  switch (scope?.kind) {
    case undefined:
    case "project":
      return { scope: "project" };
    case "global":
      return { scope: "global" };
    case "team":
      return { scope: "team", teamId: scope.id };
    case "org":
      return { scope: "org", orgId: scope.id };
  }
}

/**
 * Move every value of a `.env` text into the store and return the text with each value replaced
 * by its reference. Only the value spans change: comments, blank lines, order, `export`, the
 * quote character of each value, CRLF line ends and a BOM stay byte for byte (see
 * `scanDotenv`). Values already written as references and empty values are left alone. The
 * values are written with the service's `import` (validation, policy, audit, hooks): first
 * planned, then written only when no stored secret holds a different value (a CONFLICT naming
 * the keys, unless `overwrite`). Running it again on its own output changes nothing.
 * @throws CofferError INVALID_ARGUMENT for a malformed file or a key that is not a valid secret
 *   name; CONFLICT naming the keys whose stored value differs; the codes of `import`
 */
export async function migrateDotenv(
  coffer: Coffer,
  text: string,
  options: MigrateDotenvOptions = {},
): Promise<MigrationResult> {
  const spans = scanDotenv(text);
  const pinned: Omit<SecretReference, "name"> = {
    ...(options.scope && options.scope.kind !== "project" ? { scope: options.scope } : {}),
    ...(options.env !== undefined ? { env: options.env } : {}),
  };
  const byKey = new Map<string, { lines: number[]; value: string; refs: number; empties: number }>();
  for (const s of spans) {
    const entry = byKey.get(s.key) ?? { lines: [], value: "", refs: 0, empties: 0 };
    entry.lines.push(s.line);
    if (isReference(s.value)) entry.refs++;
    else if (s.value === "") entry.empties++;
    else entry.value = s.value;
    byKey.set(s.key, entry);
  }
  const warnings: string[] = [];
  const toStore: Array<{ key: string; value: string }> = [];
  for (const [key, e] of byKey) {
    const plain = e.lines.length - e.refs - e.empties;
    if (plain > 0) toStore.push({ key, value: e.value });
    if (plain > 1 || (plain > 0 && e.refs + e.empties > 0)) {
      warnings.push(
        `${key} is assigned on lines ${e.lines.join(", ")}; the last non-empty value is stored and every assignment of a value becomes the reference`,
      );
    }
  }
  const items: MigrationItem[] = [];
  let planned: ImportReport | undefined;
  const importOptions = {
    format: "env" as const,
    ...scopeInput(options.scope),
    ...(options.env !== undefined ? { env: options.env } : {}),
    ...(options.provider !== undefined ? { provider: options.provider } : {}),
  };
  const storeText = toStore.length > 0 ? formatDotenv(toStore) : "";
  if (toStore.length > 0) {
    planned = await coffer.import(storeText, { ...importOptions, dryRun: true });
    const conflicts = planned.items.filter((i) => i.action === "update").map((i) => i.name);
    if (conflicts.length > 0 && !options.overwrite) {
      throw new CofferError(
        "CONFLICT",
        `already stored with a different value: ${conflicts.join(", ")}; nothing was changed`,
        { names: conflicts, hint: "pass --overwrite to replace the stored values, or remove these lines first" },
      );
    }
  }
  const actionOf = new Map(planned?.items.map((i) => [i.name, i.action]) ?? []);
  for (const [key, e] of byKey) {
    const stored = actionOf.get(key);
    const reference = formatReference({ name: key, ...pinned });
    if (stored === "create" || stored === "update" || stored === "unchanged")
      items.push({ key, lines: e.lines, action: stored, reference });
    else if (e.refs > 0) items.push({ key, lines: e.lines, action: "reference" });
    else items.push({ key, lines: e.lines, action: "empty" });
  }
  if (options.dryRun || toStore.length === 0) return { items, text, changed: false, warnings };

  const written = await coffer.import(storeText, {
    ...importOptions,
    ...(options.overwrite ? {} : { skipExisting: true }),
  });
  // A secret created by someone else since the plan was skipped: its value may differ.
  const raced = written.items
    .filter((i) => i.action === "skip" && actionOf.get(i.name) === "create")
    .map((i) => i.name);
  if (raced.length > 0) {
    throw new CofferError(
      "CONFLICT",
      `stored by someone else during the migration: ${raced.join(", ")}; the file was not rewritten`,
      {
        names: raced,
        hint: "run the migration again",
      },
    );
  }
  let out = "";
  let at = 0;
  const moved = new Set(toStore.map((t) => t.key));
  for (const s of spans) {
    if (!moved.has(s.key) || s.value === "" || isReference(s.value)) continue;
    const ref = formatReference({ name: s.key, ...pinned });
    // A reference holds no character any quoting treats specially; unquoted, `&` and `?` would
    // still trouble a shell that sources the file, so such a reference gets single quotes.
    const quote = s.quote === "" && /[?&]/.test(ref) ? "'" : s.quote;
    out += text.slice(at, s.valueStart) + quote + ref + quote;
    at = s.valueEnd;
  }
  out += text.slice(at);
  return { items, text: out, changed: out !== text, warnings };
}
