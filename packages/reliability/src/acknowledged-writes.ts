/**
 * The ack protocol of crash tests: a child prints one `ACK <json>` line on stdout after each
 * write the library acknowledged (the call returned), and the parent reads them back after
 * killing it. A line cut short by the kill is not an ack.
 */
export const ACK_PREFIX = "ACK ";

/** Format one ack line (child side). */
export function ackLine(payload: unknown): string {
  return `${ACK_PREFIX}${JSON.stringify(payload)}\n`;
}

/** The complete ack lines in `stdout`, parsed. */
export function parseAcks<T>(stdout: string): T[] {
  const complete = stdout.endsWith("\n") ? stdout : stdout.slice(0, stdout.lastIndexOf("\n") + 1);
  const out: T[] = [];
  for (const line of complete.split("\n")) {
    if (line.startsWith(ACK_PREFIX)) out.push(JSON.parse(line.slice(ACK_PREFIX.length)) as T);
  }
  return out;
}
