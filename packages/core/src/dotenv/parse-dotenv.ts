import { CofferError } from "../errors/index.js";
import {
  DOTENV_KEY_PATTERN,
  DOTENV_KEY_RULE_TEXT,
  type DotenvAssignmentSpan,
  type DotenvEntry,
  type DotenvParseResult,
  type DotenvWarning,
} from "./types.js";

/** `export KEY`, `KEY` and the `=` after them, at the start of a logical line. */
const ASSIGNMENT_HEAD = /^(?:export[ \t]+(?=[^ \t=]))?([^ \t=]*)[ \t]*(=?)/;
/** A reference a shell would expand: `$NAME`, `${...}`, `$(...)`. */
const SHELL_REFERENCE = /\$[{(A-Za-z_]/;

function malformed(line: number, problem: string): CofferError {
  return new CofferError("INVALID_ARGUMENT", `.env line ${line}: ${problem}`, { line });
}

function isBlank(ch: string | undefined): boolean {
  return ch === " " || ch === "\t";
}

/** Result of reading one quoted value: the value, where scanning resumes, lines crossed. */
interface QuotedValue {
  value: string;
  end: number;
  newlines: number;
  hasReference: boolean;
}

function countNewlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) count++;
  return count;
}

/** Read a single-quoted or backtick value starting after its opening quote: literal text. */
function readLiteralQuoted(src: string, start: number, quote: string, line: number): QuotedValue {
  const close = src.indexOf(quote, start);
  if (close < 0) {
    const kind = quote === "'" ? "single-quoted" : "backtick-quoted";
    throw malformed(line, `unterminated ${kind} value (no closing ${quote} before the end of the file)`);
  }
  const value = src.slice(start, close);
  return { value, end: close + 1, newlines: countNewlines(value), hasReference: false };
}

const DOUBLE_QUOTE_ESCAPES: Record<string, string> = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\", $: "$" };

/** Read a double-quoted value starting after its opening quote, applying the escapes. */
function readDoubleQuoted(src: string, start: number, line: number): QuotedValue {
  let out = "";
  let newlines = 0;
  let hasReference = false;
  let runStart = start;
  for (let i = start; i < src.length; i++) {
    const ch = src[i];
    if (ch === '"') {
      out += src.slice(runStart, i);
      return { value: out, end: i + 1, newlines, hasReference };
    }
    if (ch === "\n") newlines++;
    else if (ch === "$" && SHELL_REFERENCE.test(src.slice(i, i + 2))) hasReference = true;
    else if (ch === "\\" && i + 1 < src.length) {
      const next = src[i + 1]!;
      const replacement = DOUBLE_QUOTE_ESCAPES[next];
      if (replacement !== undefined) {
        out += src.slice(runStart, i) + replacement;
        i++;
        runStart = i + 1;
      }
      // Any other backslash is kept literally, with the character after it (read next turn).
    }
  }
  throw malformed(line, 'unterminated double-quoted value (no closing " before the end of the file)');
}

/**
 * The text a parse works on (no BOM, every line break `\n`), and how to map its offsets back to
 * the original text: the positions (in the normalized text) of the `\n`s that stand for a
 * two-character `\r\n`.
 */
function normalize(text: string): { src: string; bom: number; collapsed: number[] } {
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const body = bom ? text.slice(1) : text;
  const collapsed: number[] = [];
  let src = "";
  let from = 0;
  for (let i = body.indexOf("\r"); i >= 0; i = body.indexOf("\r", i + 1)) {
    src += `${body.slice(from, i)}\n`;
    if (body[i + 1] === "\n") {
      collapsed.push(src.length - 1);
      i++;
    }
    from = i + 1;
  }
  src += body.slice(from);
  return { src, bom, collapsed };
}

/** Offset in the original text of normalized offset `p`. */
function originalOffset(p: number, bom: number, collapsed: readonly number[]): number {
  let lo = 0;
  let hi = collapsed.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (collapsed[mid]! < p) lo = mid + 1;
    else hi = mid;
  }
  return p + bom + lo;
}

/**
 * Every assignment of a `.env` text, in file order (duplicates included), with where its value
 * is written: `valueStart`/`valueEnd` are offsets (UTF-16 units) into the text exactly as given
 * (BOM and CRLF included), covering the value with its quotes and without the blanks around it
 * or an inline comment. Replacing that span changes only that value. Same grammar and errors as
 * {@link parseDotenv}.
 * @throws CofferError INVALID_ARGUMENT naming the line of a malformed assignment
 */
export function scanDotenv(text: string): DotenvAssignmentSpan[] {
  if (typeof text !== "string") {
    throw new CofferError("INVALID_ARGUMENT", ".env content must be a string", { field: "text" });
  }
  const { src, bom, collapsed } = normalize(text);
  const out: DotenvAssignmentSpan[] = [];
  let pos = 0;
  let line = 1;

  while (pos < src.length) {
    while (isBlank(src[pos])) pos++;
    if (pos >= src.length) break;
    const lineEnd = src.indexOf("\n", pos) < 0 ? src.length : src.indexOf("\n", pos);
    if (src[pos] === "\n" || src[pos] === "#") {
      pos = lineEnd + 1;
      line++;
      continue;
    }

    const head = ASSIGNMENT_HEAD.exec(src.slice(pos, lineEnd))!;
    const key = head[1]!;
    if (head[2] !== "=") throw malformed(line, "expected KEY=value");
    if (!DOTENV_KEY_PATTERN.test(key)) throw malformed(line, `invalid key: keys must match ${DOTENV_KEY_RULE_TEXT}`);
    const startLine = line;
    pos += head[0].length;
    while (isBlank(src[pos])) pos++;
    const valueStart = pos;
    let valueEnd: number;

    let value: string;
    let hasReference: boolean;
    const quote = src[pos];
    let quoteKind: DotenvAssignmentSpan["quote"] = "";
    if (quote === "'" || quote === "`" || quote === '"') {
      quoteKind = quote;
      const read =
        quote === '"' ? readDoubleQuoted(src, pos + 1, startLine) : readLiteralQuoted(src, pos + 1, quote, startLine);
      value = read.value;
      hasReference = read.hasReference;
      line += read.newlines;
      pos = read.end;
      valueEnd = pos;
      while (isBlank(src[pos])) pos++;
      if (pos < src.length && src[pos] !== "\n") {
        if (src[pos] !== "#") throw malformed(line, `unexpected text after the closing ${quote} of ${key}`);
        const end = src.indexOf("\n", pos);
        pos = end < 0 ? src.length : end;
      }
    } else {
      const end = src.indexOf("\n", pos) < 0 ? src.length : src.indexOf("\n", pos);
      let raw = src.slice(pos, end);
      // A `#` starts a comment at the start of the value only when blanks separated it from `=`.
      const valueFollowsBlank = isBlank(src[pos - 1]);
      for (let i = 0; i < raw.length; i++) {
        if (raw[i] === "#" && (i > 0 ? isBlank(raw[i - 1]) : valueFollowsBlank)) {
          raw = raw.slice(0, i);
          break;
        }
      }
      value = raw.replace(/[ \t]+$/, "");
      hasReference = SHELL_REFERENCE.test(value);
      valueEnd = pos + value.length;
      pos = end;
    }
    // pos is at a newline or the end of the text.
    pos++;
    line++;
    out.push({
      key,
      value,
      line: startLine,
      valueStart: originalOffset(valueStart, bom, collapsed),
      valueEnd: originalOffset(valueEnd, bom, collapsed),
      quote: quoteKind,
      hasShellReference: hasReference,
    });
  }
  return out;
}

/**
 * Parse the text of a `.env` file. Understands `KEY=value` and `export KEY=value`; values
 * unquoted (an inline ` #comment` and surrounding blanks removed), single-quoted (literal),
 * double-quoted (escapes `\n \r \t \" \\ \$`, may span lines) or backtick-quoted (literal, may
 * span lines); full-line comments, blank lines, CRLF line ends and a UTF-8 BOM. Nothing is
 * expanded or executed: `$FOO` and `$(cmd)` stay as written (with an `UNEXPANDED_REFERENCE`
 * warning). A key assigned twice keeps its last value, with a `DUPLICATE_KEY` warning.
 * Errors and warnings name line numbers and keys, never values.
 * @throws CofferError INVALID_ARGUMENT naming the line of a malformed assignment (no `=`, a key
 *   not matching `[A-Za-z_][A-Za-z0-9_.-]*`, an unterminated quote, text after a closing quote).
 */
export function parseDotenv(text: string): DotenvParseResult {
  const byKey = new Map<string, DotenvEntry>();
  const warnings: DotenvWarning[] = [];
  for (const { key, value, line: startLine, hasShellReference } of scanDotenv(text)) {
    if (hasShellReference) {
      warnings.push({
        line: startLine,
        key,
        code: "UNEXPANDED_REFERENCE",
        message: `.env line ${startLine}: the value of ${key} contains a $ reference; it is kept as written (no variable expansion or command execution)`,
      });
    }
    const previous = byKey.get(key);
    if (previous) {
      warnings.push({
        line: startLine,
        key,
        code: "DUPLICATE_KEY",
        message: `.env line ${startLine}: ${key} was already set on line ${previous.line}; the later value wins`,
      });
      previous.value = value;
      previous.line = startLine;
    } else {
      byKey.set(key, { key, value, line: startLine });
    }
  }
  return { entries: [...byKey.values()], warnings };
}
