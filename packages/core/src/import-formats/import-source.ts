import { LineCounter, parseDocument } from "yaml";
import { CofferError } from "../errors/index.js";

/** Largest number of alias expansions a YAML import may use (guards against alias bombs). */
export const MAX_YAML_ALIASES = 100;

/**
 * Read JSON import text into plain data. The parser's own message is not shown (it can quote
 * the input); only the line and column are.
 * @throws CofferError INVALID_ARGUMENT for invalid JSON.
 */
export function readJsonSource(text: string): unknown {
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    const where = /line (\d+) column (\d+)/.exec(err instanceof Error ? err.message : "");
    const at = where ? ` at line ${where[1]}, column ${where[2]}` : "";
    throw new CofferError("INVALID_ARGUMENT", `import file is not valid JSON${at}`, { field: "text" });
  }
}

/**
 * Read YAML import text with safe settings: the failsafe schema (every scalar is a string, so
 * `0123` or `true` stay as written), no tags, no merge keys, string keys only, duplicate keys
 * rejected, at most {@link MAX_YAML_ALIASES} alias expansions. Mappings come back as `Map`s.
 * Parser messages are replaced by a code and a position (they can quote the input).
 * @throws CofferError INVALID_ARGUMENT for invalid YAML, tags, several documents or alias abuse.
 */
export function readYamlSource(text: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    schema: "failsafe",
    customTags: [],
    merge: false,
    stringKeys: true,
    uniqueKeys: true,
    strict: true,
    prettyErrors: false,
    lineCounter,
  });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    const { line, col } = lineCounter.linePos(problem.pos[0]);
    const what =
      problem.code === "TAG_RESOLVE_FAILED"
        ? "YAML tags are not supported"
        : problem.code === "DUPLICATE_KEY"
          ? "duplicate key"
          : problem.code === "MULTIPLE_DOCS"
            ? "only one YAML document is allowed"
            : `YAML syntax error (${problem.code})`;
    throw new CofferError("INVALID_ARGUMENT", `import file: ${what} at line ${line}, column ${col}`, {
      field: "text",
      line,
      column: col,
    });
  }
  try {
    return doc.toJS({ mapAsMap: true, maxAliasCount: MAX_YAML_ALIASES });
  } catch {
    throw new CofferError(
      "INVALID_ARGUMENT",
      `import file: YAML aliases expand too much (more than ${MAX_YAML_ALIASES} alias uses)`,
      { field: "text" },
    );
  }
}
