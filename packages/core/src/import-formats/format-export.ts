import { stringify as stringifyYaml } from "yaml";
import { formatDotenv } from "../dotenv/index.js";
import { CofferError } from "../errors/index.js";
import { scopeKey } from "../model/index.js";
import { quoteName, toEnvVarName } from "../names/index.js";
import { formatCsv } from "./csv-writer.js";
import { EXPORT_FORMATS, type ExportFormat, type ExportFormatOptions, type ExportItem } from "./types.js";

/** Columns of the CSV export, in order; `value` is added last when values are included. */
export const EXPORT_CSV_COLUMNS = [
  "name",
  "scope",
  "env",
  "version",
  "provider",
  "encoding",
  "tags",
  "description",
  "createdAt",
  "updatedAt",
  "expiresAt",
  "ttlSeconds",
] as const;

/** Metadata of one item as written by the json/yaml metadata export (absent fields omitted). */
function metadataRecord(item: ExportItem): Record<string, unknown> {
  const record: Record<string, unknown> = {
    name: item.name,
    scope: scopeKey(item.scope),
    env: item.env,
    version: item.version,
    provider: item.provider,
    encoding: item.encoding,
    tags: item.tags,
    description: item.description,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
    expiresAt: item.expiresAt,
    ttlSeconds: item.ttlSeconds,
  };
  for (const key of Object.keys(record)) if (record[key] === undefined) delete record[key];
  return record;
}

function requireValue(item: ExportItem): string {
  if (typeof item.value !== "string") {
    throw new CofferError("INVALID_ARGUMENT", `no value was supplied for ${quoteName(item.name)} to export`, {
      name: item.name,
      field: "value",
    });
  }
  return item.value;
}

/** Refuse two items with one name: a name-keyed file would silently keep only one of them. */
function requireUniqueNames(items: readonly ExportItem[], format: ExportFormat): void {
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.name)) {
      throw new CofferError(
        "INVALID_ARGUMENT",
        `${quoteName(item.name)} appears more than once (several scopes or envs); a ${format} export with values holds one value per name, so export one scope and env at a time`,
        { name: item.name, field: "items" },
      );
    }
    seen.add(item.name);
  }
}

/** The import shape, keyed by name: `{ NAME: { value, tags?, description?, expiresAt?, ttlSeconds?, encoding? } }`. */
function importShape(items: readonly ExportItem[]): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const item of items) {
    const entry: Record<string, unknown> = { value: requireValue(item) };
    if (item.encoding === "base64") entry.encoding = "base64";
    if (item.tags !== undefined && item.tags.length > 0) entry.tags = [...item.tags];
    if (item.description !== undefined) entry.description = item.description;
    if (item.expiresAt !== undefined) entry.expiresAt = item.expiresAt;
    if (item.ttlSeconds !== undefined) entry.ttlSeconds = item.ttlSeconds;
    out.set(item.name, entry);
  }
  return out;
}

function toJson(data: unknown): string {
  // Maps become objects with own properties, so a name like `__proto__` stays an ordinary key.
  const plain = (value: unknown): unknown => {
    if (value instanceof Map) {
      const obj: Record<string, unknown> = Object.create(null);
      for (const [k, v] of value) obj[k] = plain(v);
      return obj;
    }
    return value;
  };
  return `${JSON.stringify(plain(data), null, 2)}\n`;
}

function toYaml(data: unknown, withValues = false): string {
  // With values, strings are always double-quoted: plain and block scalars can lose leading or
  // trailing spaces next to line breaks (" \n" came back as "\n"), and a value must round-trip
  // byte for byte. Metadata-only exports stay plain for readability.
  return stringifyYaml(data, {
    lineWidth: 0,
    aliasDuplicateObjects: false,
    ...(withValues ? { defaultStringType: "QUOTE_DOUBLE" as const, defaultKeyType: "PLAIN" as const } : {}),
  });
}

function envExport(items: readonly ExportItem[], includeValues: boolean): string {
  const byVar = new Map<string, string>();
  for (const item of items) {
    const key = toEnvVarName(item.name);
    const other = byVar.get(key);
    if (other !== undefined) {
      const problem =
        other === item.name
          ? `${quoteName(item.name)} appears more than once (several scopes or envs); export one scope and env at a time`
          : `${quoteName(other)} and ${quoteName(item.name)} both map to the variable ${key}`;
      throw new CofferError("INVALID_ARGUMENT", `cannot write a .env export: ${problem}`, {
        name: item.name,
        field: "items",
      });
    }
    byVar.set(key, item.name);
  }
  if (includeValues) {
    for (const item of items) {
      if (item.encoding === "base64") {
        throw new CofferError(
          "INVALID_ARGUMENT",
          `${quoteName(item.name)} holds binary (base64) data, which a .env file cannot mark; export it as json or yaml`,
          { name: item.name, field: "encoding" },
        );
      }
    }
    return formatDotenv(items.map((item) => ({ key: toEnvVarName(item.name), value: requireValue(item) })));
  }
  // Metadata only: a template (.env.example style) with each description as a comment.
  let out = "";
  for (const item of items) {
    if (item.description) {
      for (const line of item.description.split(/\r\n|\r|\n/)) out += `# ${line}`.trimEnd() + "\n";
    }
    out += `${toEnvVarName(item.name)}=\n`;
  }
  return out;
}

function csvExport(items: readonly ExportItem[], includeValues: boolean): string {
  const header: string[] = [...EXPORT_CSV_COLUMNS];
  if (includeValues) header.push("value");
  const rows = items.map((item) => {
    const row = [
      item.name,
      scopeKey(item.scope),
      item.env ?? "",
      String(item.version),
      item.provider,
      item.encoding ?? "utf-8",
      (item.tags ?? []).join(","),
      item.description ?? "",
      item.createdAt,
      item.updatedAt,
      item.expiresAt ?? "",
      item.ttlSeconds === undefined ? "" : String(item.ttlSeconds),
    ];
    if (includeValues) row.push(requireValue(item));
    return row;
  });
  return formatCsv([header, ...rows]);
}

/**
 * Write secrets for export. Without `includeValues` only metadata is written (a `value` on an
 * item is ignored): json/yaml as a list of records, csv as a table, env as a `.env.example`
 * style template (`KEY=` with descriptions as comments). With `includeValues`: json/yaml in the
 * import shape keyed by name (so `parseImport` reads it back), csv with a `value` column, env as
 * `KEY=value` lines through `formatDotenv`, keys mapped to env var names (`api-key` -> `API_KEY`).
 * CSV is RFC 4180 (fields are not altered, so cells starting with `=` reach spreadsheets as is).
 * @throws CofferError INVALID_ARGUMENT for an unknown format; with values, for a name given twice
 *   (json/yaml/env), an item without a value, or base64 data in env; for env, names colliding on
 *   one variable.
 */
export function formatExport(items: readonly ExportItem[], format: ExportFormat, options: ExportFormatOptions): string {
  const includeValues = options?.includeValues === true;
  switch (format) {
    case "json":
    case "yaml": {
      let data: unknown;
      if (includeValues) {
        requireUniqueNames(items, format);
        data = importShape(items);
      } else data = items.map(metadataRecord);
      return format === "json" ? toJson(data) : toYaml(data, includeValues);
    }
    case "csv":
      return csvExport(items, includeValues);
    case "env":
      return envExport(items, includeValues);
    default:
      throw new CofferError(
        "INVALID_ARGUMENT",
        `export format ${typeof format === "string" ? quoteName(format) : "value"} is not one of ${EXPORT_FORMATS.join(", ")}`,
        { field: "format" },
      );
  }
}
