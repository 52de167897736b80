import { CofferError } from "../errors/index.js";

/**
 * Longest glob accepted anywhere a glob is matched: list `pattern` filters, token patterns,
 * access rules' `names` and `accessors`, hook `names`, `branchMap` keys.
 */
export const MAX_GLOB_LENGTH = 256;

/**
 * A compiled glob: `*` matches any run of characters (slashes included), `?` exactly one
 * (UTF-16 code unit), everything else itself. Matching is linear in the text: no backtracking,
 * so no pattern can make a match slow.
 */
export interface NameGlob {
  /** The pattern it was compiled from. */
  readonly pattern: string;
  /** True when the whole text matches. */
  test(text: string): boolean;
}

const WILDCARD = 0x3f; // "?"
const STAR = 0x2a; // "*"
const ASCII = 128;

// Text characters looked at by matches so far (tests read it to prove the bound).
let examined = 0;

/** Text characters every match so far has looked at (for tests proving the linear bound). */
export function globCharactersExamined(): number {
  return examined;
}

/**
 * One run of literal characters and `?` between two `*`, found in a text by a bit-parallel
 * scan (shift-and): each text character updates one bit per pattern position, so finding the
 * leftmost occurrence costs one step per character scanned, whatever the run holds.
 */
class GlobSegment {
  readonly length: number;
  private readonly words: number;
  /** Per ASCII code, `words` words: bit j set when position j is that character or `?`. */
  private readonly asciiMasks: Uint32Array;
  /** Same for other code units. */
  private readonly otherMasks = new Map<number, Uint32Array>();
  /** Bit j set when position j is `?` (what any other character matches). */
  private readonly wildcardMask: Uint32Array;
  /** Scan state, reused: matching is synchronous. */
  private readonly state: Uint32Array;
  private readonly codes: number[];

  constructor(codes: number[]) {
    this.codes = codes;
    this.length = codes.length;
    this.words = Math.max(1, Math.ceil(codes.length / 32));
    this.asciiMasks = new Uint32Array(ASCII * this.words);
    this.wildcardMask = new Uint32Array(this.words);
    this.state = new Uint32Array(this.words);
    codes.forEach((code, j) => {
      if (code === WILDCARD) this.wildcardMask[j >>> 5]! |= 1 << (j & 31);
    });
    for (let c = 0; c < ASCII; c++) this.asciiMasks.set(this.wildcardMask, c * this.words);
    codes.forEach((code, j) => {
      if (code === WILDCARD) return;
      const bit = 1 << (j & 31);
      if (code < ASCII) this.asciiMasks[code * this.words + (j >>> 5)]! |= bit;
      else {
        let mask = this.otherMasks.get(code);
        if (!mask) {
          mask = Uint32Array.from(this.wildcardMask);
          this.otherMasks.set(code, mask);
        }
        mask[j >>> 5]! |= bit;
      }
    });
  }

  /** True when the segment matches the text exactly at `at` (the caller checked the length). */
  matchesAt(text: string, at: number): boolean {
    for (let j = 0; j < this.length; j++) {
      examined++;
      const code = this.codes[j]!;
      if (code !== WILDCARD && text.charCodeAt(at + j) !== code) return false;
    }
    return true;
  }

  /** End (exclusive) of the leftmost occurrence inside `text[from, to)`, or -1. */
  findEnd(text: string, from: number, to: number): number {
    const { words, state, asciiMasks, wildcardMask } = this;
    const last = this.length - 1;
    const lastWord = last >>> 5;
    const lastBit = 1 << (last & 31);
    state.fill(0);
    for (let i = from; i < to; i++) {
      examined++;
      const code = text.charCodeAt(i);
      const other = code < ASCII ? undefined : this.otherMasks.get(code);
      const base = code * words;
      let carry = 1; // a match may start at every position
      for (let w = 0; w < words; w++) {
        const mask = code < ASCII ? asciiMasks[base + w]! : (other ?? wildcardMask)[w]!;
        const s = state[w]!;
        state[w] = ((s << 1) | carry) & mask;
        carry = s >>> 31;
      }
      if ((state[lastWord]! & lastBit) !== 0) return i + 1;
    }
    return -1;
  }
}

class CompiledGlob implements NameGlob {
  readonly pattern: string;
  private readonly head: GlobSegment;
  private readonly tail: GlobSegment | undefined;
  private readonly middle: GlobSegment[];

  constructor(pattern: string) {
    this.pattern = pattern;
    const runs: number[][] = [[]];
    for (let i = 0; i < pattern.length; i++) {
      const code = pattern.charCodeAt(i);
      if (code === STAR) runs.push([]);
      else runs[runs.length - 1]!.push(code);
    }
    this.head = new GlobSegment(runs[0]!);
    this.tail = runs.length > 1 ? new GlobSegment(runs[runs.length - 1]!) : undefined;
    this.middle = runs
      .slice(1, -1)
      .filter((run) => run.length > 0)
      .map((run) => new GlobSegment(run));
  }

  test(text: string): boolean {
    const { head, tail } = this;
    if (tail === undefined) return text.length === head.length && head.matchesAt(text, 0);
    const end = text.length - tail.length;
    if (end < head.length || !head.matchesAt(text, 0) || !tail.matchesAt(text, end)) return false;
    // Between the anchored ends, each run taken at its leftmost place leaves the most room for the next.
    let at = head.length;
    for (const segment of this.middle) {
      at = segment.findEnd(text, at, end);
      if (at < 0) return false;
    }
    return true;
  }
}

/**
 * Check a glob's length.
 * @throws CofferError INVALID_ARGUMENT when it is not a string or longer than {@link MAX_GLOB_LENGTH}
 */
export function validateGlob(pattern: unknown, field = "pattern"): string {
  if (typeof pattern !== "string") {
    throw new CofferError("INVALID_ARGUMENT", `${field} must be a glob string`, { field });
  }
  if (pattern.length > MAX_GLOB_LENGTH) {
    throw new CofferError(
      "INVALID_ARGUMENT",
      `${field} is ${pattern.length} characters long; a glob may have at most ${MAX_GLOB_LENGTH}`,
      { field, max: MAX_GLOB_LENGTH },
    );
  }
  return pattern;
}

/**
 * Compile a name glob: `*` matches any run of characters (slashes included), `?` exactly one,
 * everything else literally. Matching the result is linear in the text's length.
 * @throws CofferError INVALID_ARGUMENT when the pattern is longer than {@link MAX_GLOB_LENGTH}
 */
export function compileGlob(pattern: string): NameGlob {
  return new CompiledGlob(validateGlob(pattern));
}

/** Globs compiled so far (policies, token patterns and list filters reuse a handful). */
const compiledGlobs = new Map<string, NameGlob>();
const MAX_COMPILED_GLOBS = 1000;

/**
 * {@link compileGlob}, compiled once per pattern.
 * @throws CofferError INVALID_ARGUMENT when the pattern is longer than {@link MAX_GLOB_LENGTH}
 */
export function cachedGlob(pattern: string): NameGlob {
  let glob = compiledGlobs.get(pattern);
  if (glob === undefined) {
    glob = compileGlob(pattern);
    if (compiledGlobs.size >= MAX_COMPILED_GLOBS) compiledGlobs.clear();
    compiledGlobs.set(pattern, glob);
  }
  return glob;
}

/**
 * Glob match for name patterns: `*` any run, `?` one character (see {@link compileGlob}).
 * @throws CofferError INVALID_ARGUMENT when the pattern is longer than {@link MAX_GLOB_LENGTH}
 */
export function matchesGlob(text: string, pattern: string): boolean {
  return cachedGlob(pattern).test(text);
}
