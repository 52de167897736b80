import { CofferError } from "../errors/index.js";
import { quoteName } from "../names/index.js";
import { DOTENV_KEY_PATTERN, DOTENV_KEY_RULE_TEXT, type DotenvAssignment } from "./types.js";

/** Values made only of these characters are written unquoted (portable to shells too). */
const SAFE_UNQUOTED = /^[A-Za-z0-9_./:@%+,=-]+$/;
/** A UTF-16 surrogate without its partner: no file encoding can carry it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Quote one value so that {@link parseDotenv} reads back exactly the same string. */
function quoteValue(value: string): string {
  if (value === "") return "";
  if (SAFE_UNQUOTED.test(value)) return value;
  // Single quotes are literal: fine for anything without a quote or a line break.
  if (!/['\n\r]/.test(value)) return `'${value}'`;
  const escaped = value.replace(/[\\"$\n\r]/g, (ch) => {
    switch (ch) {
      case "\n":
        return "\\n";
      case "\r":
        return "\\r";
      default:
        return `\\${ch}`;
    }
  });
  return `"${escaped}"`;
}

/**
 * Write assignments as `.env` text, one `KEY=value` line each (newline-terminated), choosing for
 * every value a quoting that {@link parseDotenv} reads back byte-exact: unquoted for plain
 * values, single quotes when the value has no `'` or line break, double quotes with `\n \r \" \\
 * \$` escapes otherwise. Every well-formed Unicode string is representable.
 * @throws CofferError INVALID_ARGUMENT for a key not matching `[A-Za-z_][A-Za-z0-9_.-]*`, a key
 *   given twice, or a value that is not well-formed Unicode (a lone surrogate, which no file can
 *   hold); the message names the key, never the value.
 */
export function formatDotenv(entries: readonly DotenvAssignment[]): string {
  const seen = new Set<string>();
  let out = "";
  for (const { key, value } of entries) {
    if (typeof key !== "string" || !DOTENV_KEY_PATTERN.test(key)) {
      throw new CofferError(
        "INVALID_ARGUMENT",
        `.env key ${typeof key === "string" ? quoteName(key) : "(not a string)"} must match ${DOTENV_KEY_RULE_TEXT}`,
        { field: "key" },
      );
    }
    if (seen.has(key)) {
      throw new CofferError("INVALID_ARGUMENT", `.env key ${key} is given more than once`, { field: "key", key });
    }
    seen.add(key);
    if (typeof value !== "string") {
      throw new CofferError("INVALID_ARGUMENT", `the value of ${key} must be a string`, { field: "value", key });
    }
    if (LONE_SURROGATE.test(value)) {
      throw new CofferError(
        "INVALID_ARGUMENT",
        `the value of ${key} is not well-formed Unicode (it holds a lone surrogate) and cannot be written to a .env file`,
        { field: "value", key },
      );
    }
    out += `${key}=${quoteValue(value)}\n`;
  }
  return out;
}
