/** One captured piece of output: what a front end printed, answered or wrote. */
export interface TranscriptEntry {
  /** Where it came from (`cli get stdout`, `mcp get_secret`, `GET /v1/secrets/X`...). */
  source: string;
  /** The text or bytes. */
  content: string | Buffer;
  /** True for output that explicitly reveals a value (excluded from leak scans). */
  reveal?: boolean;
}

/** Everything the front ends produced during a test, for leak scans. */
export class Transcript {
  /** Captured entries in order. */
  readonly entries: TranscriptEntry[] = [];

  /** Add output. */
  add(source: string, content: string | Buffer, reveal = false): void {
    this.entries.push({ source, content, ...(reveal ? { reveal } : {}) });
  }
}
