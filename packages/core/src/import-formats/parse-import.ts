import { parseDotenv } from "../dotenv/index.js";
import { CofferError } from "../errors/index.js";
import { quoteName } from "../names/index.js";
import { readImportEntry, readImportName } from "./import-item.js";
import { readJsonSource, readYamlSource } from "./import-source.js";
import { IMPORT_FORMATS, type ImportFormat, type ImportItem, type ImportResult, type ImportWarning } from "./types.js";

function emptyValueWarning(name: string, line?: number): ImportWarning {
  const where = line === undefined ? "" : ` (line ${line})`;
  const warning: ImportWarning = { code: "EMPTY_VALUE", name, message: `${name}${where} has an empty value` };
  if (line !== undefined) warning.line = line;
  return warning;
}

function fromDotenv(text: string): ImportResult {
  const parsed = parseDotenv(text);
  const warnings: ImportWarning[] = parsed.warnings.map((w) => ({
    code: w.code,
    message: w.message,
    name: w.key,
    line: w.line,
  }));
  const items: ImportItem[] = parsed.entries.map((entry) => {
    readImportName(entry.key, `.env line ${entry.line}`);
    if (entry.value === "") warnings.push(emptyValueWarning(entry.key, entry.line));
    return { name: entry.key, value: entry.value };
  });
  return { items, warnings };
}

function fromStructured(data: unknown, format: "json" | "yaml"): ImportResult {
  // An empty YAML document (nothing but comments) imports nothing.
  if (format === "yaml" && data === null) return { items: [], warnings: [] };
  const isMapping = data instanceof Map || (typeof data === "object" && data !== null && !Array.isArray(data));
  if (!isMapping) {
    throw new CofferError(
      "INVALID_ARGUMENT",
      `import file must hold a ${format === "json" ? "JSON object" : "YAML mapping"} of secret names to values`,
      { field: "text" },
    );
  }
  const entries: Array<[string, unknown]> = data instanceof Map ? [...data.entries()] : Object.entries(data as object);
  const items: ImportItem[] = [];
  const warnings: ImportWarning[] = [];
  for (const [name, raw] of entries) {
    const item = readImportEntry(name, raw, format === "yaml" ? "text" : "typed");
    if (item.value === "") warnings.push(emptyValueWarning(name));
    items.push(item);
  }
  return { items, warnings };
}

/**
 * Read an import file. `env`: a `.env` file (see `parseDotenv`). `json` / `yaml`: a mapping of
 * secret names to either a string value or an object `{ value, tags?, description?, expiresAt?,
 * ttlSeconds?, encoding? }`. Every field is type-checked and every name checked against the
 * default naming rule before anything is returned, so a bad file imports nothing.
 * @throws CofferError INVALID_ARGUMENT naming the entry, field or line at fault (never a value);
 *   TOO_LARGE for a value over 64 KiB.
 */
export function parseImport(text: string, format: ImportFormat): ImportResult {
  if (typeof text !== "string") {
    throw new CofferError("INVALID_ARGUMENT", "import content must be a string", { field: "text" });
  }
  switch (format) {
    case "env":
      return fromDotenv(text);
    case "json":
      return fromStructured(readJsonSource(text), "json");
    case "yaml":
      return fromStructured(readYamlSource(text), "yaml");
    default:
      throw new CofferError(
        "INVALID_ARGUMENT",
        `import format ${typeof format === "string" ? quoteName(format) : "value"} is not one of ${IMPORT_FORMATS.join(", ")}`,
        { field: "format" },
      );
  }
}
