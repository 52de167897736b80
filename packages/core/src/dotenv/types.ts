/** Keys a `.env` file may define: a letter or `_`, then letters, digits, `_`, `.` or `-`. */
export const DOTENV_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Text of {@link DOTENV_KEY_PATTERN}, quoted in error messages. */
export const DOTENV_KEY_RULE_TEXT = "[A-Za-z_][A-Za-z0-9_.-]*";

/** One `KEY=value` assignment read from a `.env` file. */
export interface DotenvEntry {
  /** Variable name. */
  key: string;
  /** Value after unquoting and unescaping; never expanded. */
  value: string;
  /** 1-based line where the assignment starts (multi-line values span further lines). */
  line: number;
}

/** Codes of the non-fatal findings of {@link parseDotenv}. */
export type DotenvWarningCode = "DUPLICATE_KEY" | "UNEXPANDED_REFERENCE";

/** A non-fatal finding while parsing; it names lines and keys, never values. */
export interface DotenvWarning {
  /** 1-based line the finding is about. */
  line: number;
  /** Key concerned. */
  key: string;
  /**
   * `DUPLICATE_KEY`: the key is assigned again on this line and this later value wins;
   * `UNEXPANDED_REFERENCE`: the value holds `$NAME`, `${NAME}` or `$(...)`, kept literally.
   */
  code: DotenvWarningCode;
  /** Human-readable explanation. */
  message: string;
}

/** What {@link parseDotenv} returns. */
export interface DotenvParseResult {
  /** One entry per key, in order of first appearance, holding the last assigned value. */
  entries: DotenvEntry[];
  /** Non-fatal findings, in line order. */
  warnings: DotenvWarning[];
}

/** One assignment to write with {@link formatDotenv}. */
export interface DotenvAssignment {
  /** Variable name, matching {@link DOTENV_KEY_PATTERN}. */
  key: string;
  /** Any well-formed Unicode string. */
  value: string;
}

/** One assignment as written in a `.env` text, with where its value sits (see `scanDotenv`). */
export interface DotenvAssignmentSpan {
  /** Variable name. */
  key: string;
  /** Value after unquoting and unescaping; never expanded. */
  value: string;
  /** 1-based line where the assignment starts. */
  line: number;
  /** Offset (UTF-16 units, in the text as given) of the value's first character or opening quote. */
  valueStart: number;
  /** Offset just past the value's last character or closing quote. */
  valueEnd: number;
  /** The value's quote character, `""` when unquoted. */
  quote: "" | "'" | '"' | "`";
  /** The value holds `$NAME`, `${...}` or `$(...)` (kept as written). */
  hasShellReference: boolean;
}
