import { CofferError } from "../errors/index.js";
import type { ImportFormat } from "./types.js";

/**
 * Guess the format of an import file: by name first (`*.json`; `*.yaml`/`*.yml`; `.env`,
 * `.env.*`, `*.env`), then by content (a leading `{` is JSON; a first assignment `KEY=` or
 * `export KEY=` is env; a first `key:` line or `---` is YAML).
 * @throws CofferError INVALID_ARGUMENT when neither tells, asking for an explicit format.
 */
export function detectImportFormat(fileName: string | undefined, text: string): ImportFormat {
  const base = (fileName ?? "").split(/[\\/]/).pop()!.toLowerCase();
  if (base.endsWith(".json")) return "json";
  if (base.endsWith(".yaml") || base.endsWith(".yml")) return "yaml";
  if (base === ".env" || base.startsWith(".env.") || base.endsWith(".env")) return "env";

  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const trimmed = body.trimStart();
  if (trimmed.startsWith("{")) return "json";
  for (const rawLine of body.split(/\r\n?|\n/)) {
    const line = rawLine.trim();
    if (line === "" || line.startsWith("#")) continue;
    if (/^(?:export[ \t]+)?[A-Za-z_][A-Za-z0-9_.-]*[ \t]*=/.test(line)) return "env";
    if (line === "---" || /^(?:"[^"]*"|'[^']*'|[^\s:#'"][^:#]*):(?:[ \t]|$)/.test(line)) return "yaml";
    break;
  }
  throw new CofferError(
    "INVALID_ARGUMENT",
    "cannot tell the import format from the file name or content; choose one of env, json, yaml",
    { field: "format" },
  );
}
