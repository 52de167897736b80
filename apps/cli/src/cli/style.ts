/** ANSI styling that collapses to plain text when colour is off. */
export interface Style {
  /** Green (success marks). */
  green(text: string): string;
  /** Red (failures). */
  red(text: string): string;
  /** Yellow (warnings). */
  yellow(text: string): string;
  /** Dim (secondary text). */
  dim(text: string): string;
  /** Bold (headings). */
  bold(text: string): string;
}

const wrap = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
const identity = (text: string) => text;

/** A style that colours when `enabled`. */
export function createStyle(enabled: boolean): Style {
  if (!enabled) return { green: identity, red: identity, yellow: identity, dim: identity, bold: identity };
  return { green: wrap(32, 39), red: wrap(31, 39), yellow: wrap(33, 39), dim: wrap(2, 22), bold: wrap(1, 22) };
}

/** Text without ANSI escapes. */
export function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}

/** Display width of text (ANSI escapes excluded; wide characters counted once). */
export function displayWidth(text: string): number {
  return [...stripAnsi(text)].length;
}
