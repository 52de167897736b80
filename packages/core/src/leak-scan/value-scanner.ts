import { CofferError } from "../errors/coffer-error.js";
import {
  compileDenseAutomaton,
  type DenseAutomaton,
  runDenseAutomaton,
  SecretMatcher,
} from "../redact/secret-matcher.js";

/** Values shorter than this (in bytes of UTF-8) are not looked for: they match ordinary text. */
export const MIN_SCANNED_VALUE_LENGTH = 8;

/** A stored value to look for, with what names it. */
export interface ScannedValue {
  /** The value (held only in memory, in the matcher). */
  value: string;
  /** Secret name. */
  name: string;
  /** Scope label. */
  scope: string;
  /** Env state, when not the default. */
  env?: string;
  /** Version. */
  version: number;
}

/** Where a value was found. Never the value. */
export interface ValueHit {
  /** Secret names holding the value (the first is the one reported). */
  names: string[];
  /** Scope label of the first. */
  scope: string;
  /** Env state of the first. */
  env?: string;
  /** Version of the first. */
  version: number;
  /** 1-based line. */
  line: number;
  /** 1-based column, in UTF-16 code units (SARIF's default column kind). */
  column: number;
  /** Byte offset of the match. */
  offset: number;
  /** Length in bytes. */
  length: number;
}

interface Label {
  names: string[];
  scope: string;
  env?: string;
  version: number;
}

/** UTF-16 code units encoded by `bytes[from, to)` of UTF-8 (continuation bytes count 0). */
function utf16Units(bytes: Uint8Array, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const b = bytes[i]!;
    if ((b & 0xc0) !== 0x80) n += b >= 0xf0 ? 2 : 1;
  }
  return n;
}

/** Line and column at the start of a chunk. */
interface Cursor {
  line: number;
  column: number;
}

function advance(chunk: Uint8Array, at: Cursor): Cursor {
  let line = at.line;
  let lastNewline = -1;
  for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) {
    line++;
    lastNewline = i;
  }
  return lastNewline < 0
    ? { line, column: at.column + utf16Units(chunk, 0, chunk.length) }
    : { line, column: utf16Units(chunk, lastNewline + 1, chunk.length) };
}

/** Positions of sorted offsets within a chunk that starts at `at`. */
function resolvePositions(chunk: Uint8Array, at: Cursor, offsets: number[]): Cursor[] {
  let line = at.line;
  let column = at.column;
  let pos = 0;
  const out: Cursor[] = [];
  for (const o of offsets) {
    for (let nl = chunk.indexOf(10, pos); nl >= 0 && nl < o; nl = chunk.indexOf(10, pos)) {
      line++;
      column = 0;
      pos = nl + 1;
    }
    column += utf16Units(chunk, pos, o);
    pos = o;
    out.push({ line, column });
  }
  return out;
}

/** Chunks of at least `min` bytes (but the last): a value then spans at most two of them. */
async function* atLeast(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  min: number,
): AsyncGenerator<Uint8Array> {
  let held: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    if (held.length === 0 && chunk.length >= min) {
      yield chunk;
      continue;
    }
    held.push(chunk);
    size += chunk.length;
    if (size >= min) {
      yield Buffer.concat(held);
      held = [];
      size = 0;
    }
  }
  if (size > 0) yield Buffer.concat(held);
}

/**
 * Looks for a fixed set of stored values in byte streams, in one pass (Aho-Corasick over a
 * dense byte table built from {@link SecretMatcher}), reporting line and column of each
 * occurrence. The values live only in this object's memory; nothing it returns holds one.
 */
export class ValueScanner {
  /** Number of distinct values looked for. */
  readonly size: number;
  /** Longest value, in bytes. */
  readonly maxLength: number;
  readonly #automaton: DenseAutomaton;
  readonly #labels: Label[];

  constructor(values: readonly ScannedValue[]) {
    const byValue = new Map<string, Label>();
    for (const v of values) {
      if (typeof v.value !== "string") throw new CofferError("INVALID_ARGUMENT", "values must be strings", {});
      if (Buffer.byteLength(v.value, "utf8") < MIN_SCANNED_VALUE_LENGTH) continue;
      const known = byValue.get(v.value);
      if (known) {
        if (!known.names.includes(v.name)) known.names.push(v.name);
        continue;
      }
      byValue.set(v.value, {
        names: [v.name],
        scope: v.scope,
        ...(v.env !== undefined ? { env: v.env } : {}),
        version: v.version,
      });
    }
    const patterns = [...byValue.keys()].map((v) => Buffer.from(v, "utf8"));
    this.#labels = [...byValue.values()];
    this.size = patterns.length;
    this.maxLength = patterns.reduce((m, p) => Math.max(m, p.length), 0);
    this.#automaton = compileDenseAutomaton(new SecretMatcher(patterns));
  }

  /**
   * Scan a stream of chunks (a file read piece by piece, a blob) and return every occurrence,
   * in order. Memory: the current and previous chunk.
   */
  async scan(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<ValueHit[]> {
    const hits: ValueHit[] = [];
    if (this.size === 0) {
      for await (const _ of chunks) {
        // drain
      }
      return hits;
    }
    let state = 0;
    let previous: { bytes: Uint8Array; start: number; at: Cursor } | undefined;
    let at: Cursor = { line: 1, column: 0 };
    let chunkStart = 0;
    for await (const chunk of atLeast(chunks, Math.max(this.maxLength, 64 * 1024))) {
      const found: Array<{ id: number; start: number; length: number }> = [];
      state = runDenseAutomaton(this.#automaton, chunk, 0, chunk.length, state, (id, length, end) => {
        found.push({ id, start: chunkStart + end - length, length });
      });
      if (found.length > 0) {
        found.sort((a, b) => a.start - b.start);
        const inPrevious = previous ? found.filter((f) => f.start < chunkStart) : [];
        const inCurrent = found.filter((f) => f.start >= chunkStart);
        const place = (list: typeof found, bytes: Uint8Array, start: number, cursor: Cursor) => {
          const positions = resolvePositions(
            bytes,
            cursor,
            list.map((f) => f.start - start),
          );
          list.forEach((f, i) => {
            const label = this.#labels[f.id]!;
            hits.push({
              names: [...label.names],
              scope: label.scope,
              ...(label.env !== undefined ? { env: label.env } : {}),
              version: label.version,
              line: positions[i]!.line,
              column: positions[i]!.column + 1,
              offset: f.start,
              length: f.length,
            });
          });
        };
        if (previous && inPrevious.length > 0) place(inPrevious, previous.bytes, previous.start, previous.at);
        place(inCurrent, chunk, chunkStart, at);
      }
      previous = { bytes: chunk, start: chunkStart, at };
      at = advance(chunk, at);
      chunkStart += chunk.length;
    }
    return hits;
  }
}
