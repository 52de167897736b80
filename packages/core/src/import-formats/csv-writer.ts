/** Quote one CSV field per RFC 4180 when it holds a comma, quote, line break or edge blanks. */
export function csvField(value: string): string {
  if (!/[",\r\n]/.test(value) && value.trim() === value) return value;
  return `"${value.replace(/"/g, '""')}"`;
}

/** Write rows as RFC 4180 CSV (CRLF line ends, a final line break). */
export function formatCsv(rows: ReadonlyArray<ReadonlyArray<string>>): string {
  return rows.map((row) => `${row.map(csvField).join(",")}\r\n`).join("");
}
