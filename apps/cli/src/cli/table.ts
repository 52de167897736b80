import { displayWidth, stripAnsi } from "./style.js";

/** Smallest width a column is shrunk to. */
const MIN_COLUMN_WIDTH = 3;

function truncate(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  const plain = [...stripAnsi(text)];
  return `${plain.slice(0, Math.max(0, width - 1)).join("")}…`;
}

function pad(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - displayWidth(text)));
}

/**
 * Column widths that fit `maxWidth` (box borders included): the widest columns shrink first,
 * never below a few characters.
 */
export function fitColumnWidths(natural: number[], maxWidth: number | undefined): number[] {
  const widths = [...natural];
  if (maxWidth === undefined) return widths;
  const overhead = widths.length * 3 + 1;
  let total = widths.reduce((a, b) => a + b, 0) + overhead;
  while (total > maxWidth) {
    let widest = 0;
    for (let i = 1; i < widths.length; i++) if (widths[i]! > widths[widest]!) widest = i;
    if (widths[widest]! <= MIN_COLUMN_WIDTH) break;
    widths[widest]!--;
    total--;
  }
  return widths;
}

/**
 * A box-drawn table (`┌─┬─┐`) of `headers` and `rows`, fitted to `maxWidth` by truncating
 * the widest columns with `…`. Returns its lines.
 */
export function renderTable(headers: string[], rows: string[][], maxWidth?: number): string[] {
  const natural = headers.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ""))));
  const widths = fitColumnWidths(natural, maxWidth);
  const rule = (left: string, mid: string, right: string) =>
    left + widths.map((w) => "─".repeat(w + 2)).join(mid) + right;
  const line = (cells: string[]) => `│ ${widths.map((w, i) => pad(truncate(cells[i] ?? "", w), w)).join(" │ ")} │`;
  return [rule("┌", "┬", "┐"), line(headers), rule("├", "┼", "┤"), ...rows.map(line), rule("└", "┴", "┘")];
}
