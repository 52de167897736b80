import { CofferError } from "../errors/coffer-error.js";

/** Code units (UTF-16 for strings, bytes for buffers) the matcher reads one at a time. */
export interface UnitSource {
  /** Number of units. */
  readonly length: number;
  /** Unit at `index` (0 <= index < length). */
  unitAt(index: number): number;
}

/** A step of a scan: copy units `[start, end)` through, or write the replacement of pattern `id`. */
export type ScanOp = { kind: "text"; start: number; end: number } | { kind: "mask"; id: number };

/** What one scan produced: operations for the decided prefix and how many units it covers. */
export interface ScanResult {
  /** Output steps, in order. */
  ops: ScanOp[];
  /** Units decided; the rest (a possible start of a pattern) must be passed again, first, next time. */
  consumed: number;
}

interface AutomatonNode {
  next: Map<number, AutomatonNode>;
  /** Failure link: the longest proper suffix of this node's string that is a trie node. */
  fail: AutomatonNode | undefined;
  /** Length of this node's string. */
  depth: number;
  /** Longest pattern that is a suffix of this node's string: its id and length (0: none). */
  outId: number;
  outLength: number;
  /** Length of the longest suffix of this node's string that a pattern could still extend. */
  openDepth: number;
}

function node(depth: number): AutomatonNode {
  return { next: new Map(), fail: undefined, depth, outId: -1, outLength: 0, openDepth: depth };
}

/**
 * Finds every occurrence of a set of patterns in a stream of units (Aho-Corasick, linear time)
 * and masks the union of their spans: overlapping occurrences merge into one masked run whose
 * replacement is that of the run's leftmost (then longest) occurrence; adjacent occurrences stay
 * separate runs. A unit is released as soon as no pattern can start at or cover it, so fewer
 * than `maxLength` units are ever held back. One matcher serves one stream.
 */
export class SecretMatcher {
  /** Length of the longest pattern, in units. */
  readonly maxLength: number;
  private readonly root = node(0);
  private state: AutomatonNode;
  /** Absolute position of the first unit of the next scan's source. */
  private base = 0;
  /** Units at the start of the next source that were already fed to the automaton. */
  private fed = 0;
  /** Absolute end of the current masked run. */
  private coveredUntil = 0;
  /** Longest occurrence found per absolute start position not yet released. */
  private readonly startsAt = new Map<number, { id: number; length: number }>();

  constructor(patterns: ReadonlyArray<ArrayLike<number>>) {
    let max = 0;
    patterns.forEach((units, id) => {
      if (units.length === 0) return;
      let at = this.root;
      for (let i = 0; i < units.length; i++) {
        let child = at.next.get(units[i]!);
        if (!child) {
          child = node(i + 1);
          at.next.set(units[i]!, child);
        }
        at = child;
      }
      if (at.outId < 0) {
        at.outId = id;
        at.outLength = units.length;
      }
      max = Math.max(max, units.length);
    });
    this.maxLength = max;
    // Breadth-first: failure links, and inherit the longest suffix pattern through them.
    const queue: AutomatonNode[] = [];
    for (const child of this.root.next.values()) {
      child.fail = this.root;
      queue.push(child);
    }
    for (let qi = 0; qi < queue.length; qi++) {
      const current = queue[qi]!;
      if (current.next.size === 0) current.openDepth = current.fail!.openDepth;
      for (const [unit, child] of current.next) {
        let f = current.fail;
        while (f && !f.next.has(unit)) f = f.fail;
        child.fail = f ? f.next.get(unit)! : this.root;
        if (child.outId < 0 && child.fail.outLength > 0) {
          child.outId = child.fail.outId;
          child.outLength = child.fail.outLength;
        }
        queue.push(child);
      }
    }
    this.state = this.root;
  }

  /**
   * This automaton as a dense byte table (patterns must be bytes, 0-255). See
   * {@link compileDenseAutomaton}.
   * @throws CofferError TOO_LARGE when the table would be too large
   */
  dense(): DenseAutomaton {
    const order: AutomatonNode[] = [this.root];
    const index = new Map<AutomatonNode, number>([[this.root, 0]]);
    const classes = new Uint8Array(256);
    let width = 1;
    for (let qi = 0; qi < order.length; qi++) {
      for (const [unit, child] of order[qi]!.next) {
        if (unit < 0 || unit > 255) throw new CofferError("INVALID_ARGUMENT", "dense automata take byte patterns", {});
        if (classes[unit] === 0) classes[unit] = width++;
        index.set(child, order.length);
        order.push(child);
      }
    }
    if (order.length * width > MAX_DENSE_ENTRIES) {
      throw new CofferError("TOO_LARGE", "the values to look for are too many or too long to scan for at once", {});
    }
    const byteOfClass = new Int32Array(width).fill(-1);
    for (let b = 0; b < 256; b++) if (classes[b]! > 0) byteOfClass[classes[b]!] = b;
    const next = new Int32Array(order.length * width);
    const outId = new Int32Array(order.length).fill(-1);
    const outLength = new Int32Array(order.length);
    order.forEach((n, i) => {
      outId[i] = n.outLength > 0 ? n.outId : -1;
      outLength[i] = n.outLength;
      const failRow = n.fail ? index.get(n.fail)! * width : 0;
      for (let c = 1; c < width; c++) {
        const child = n.next.get(byteOfClass[c]!);
        next[i * width + c] = child ? index.get(child)! : i === 0 ? 0 : next[failRow + c]!;
      }
    });
    return { classes, width, next, outId, outLength };
  }

  /**
   * Scan `source`: the units left undecided by the previous scan (exactly as returned, first)
   * followed by new input. With `final` the input has ended and everything is decided.
   */
  scan(source: UnitSource, final: boolean): ScanResult {
    for (let i = this.fed; i < source.length; i++) {
      const unit = source.unitAt(i);
      let s: AutomatonNode | undefined = this.state;
      while (s && !s.next.has(unit)) s = s.fail;
      this.state = s ? s.next.get(unit)! : this.root;
      if (this.state.outLength > 0) {
        const start = this.base + i + 1 - this.state.outLength;
        const known = this.startsAt.get(start);
        if (!known || known.length < this.state.outLength) {
          this.startsAt.set(start, { id: this.state.outId, length: this.state.outLength });
        }
      }
    }
    // Positions before `decided` cannot begin an occurrence that is still incomplete.
    const decided = final ? source.length : source.length - this.state.openDepth;
    const ops: ScanOp[] = [];
    let textStart = -1;
    for (let i = 0; i < decided; i++) {
      const p = this.base + i;
      const occurrence = this.startsAt.get(p);
      if (occurrence) {
        this.startsAt.delete(p);
        if (p >= this.coveredUntil) {
          if (textStart >= 0) ops.push({ kind: "text", start: textStart, end: i });
          textStart = -1;
          ops.push({ kind: "mask", id: occurrence.id });
        }
        this.coveredUntil = Math.max(this.coveredUntil, p + occurrence.length);
      }
      if (p < this.coveredUntil) {
        if (textStart >= 0) ops.push({ kind: "text", start: textStart, end: i });
        textStart = -1;
      } else if (textStart < 0) textStart = i;
    }
    if (textStart >= 0) ops.push({ kind: "text", start: textStart, end: decided });
    this.base += decided;
    this.fed = source.length - decided;
    if (final) {
      this.state = this.root;
      this.fed = 0;
      this.startsAt.clear();
    }
    return { ops, consumed: decided };
  }
}

/**
 * A {@link SecretMatcher}'s automaton compiled to a dense transition table over bytes: one
 * table lookup per byte, for scanning large inputs for occurrences (not for masking).
 */
export interface DenseAutomaton {
  /** Byte -> class (0: a byte no pattern holds). */
  readonly classes: Uint8Array;
  /** Number of classes (row width). */
  readonly width: number;
  /** Node * width + class -> next node. */
  readonly next: Int32Array;
  /** Per node: id of the longest pattern ending there, -1 for none. */
  readonly outId: Int32Array;
  /** Per node: length of that pattern (0: none). */
  readonly outLength: Int32Array;
}

/** Largest dense table built, in entries (4 bytes each). */
export const MAX_DENSE_ENTRIES = 64 * 1024 * 1024;

/**
 * Compile a matcher for byte patterns into a {@link DenseAutomaton}.
 * @throws CofferError TOO_LARGE when the table would exceed {@link MAX_DENSE_ENTRIES} entries
 */
export function compileDenseAutomaton(matcher: SecretMatcher): DenseAutomaton {
  return matcher.dense();
}

/**
 * Run a dense automaton over `bytes[start, end)` from `state`; `onMatch(id, length, endIndex)`
 * is called for the longest pattern ending at each position (`endIndex` exclusive, an index
 * into `bytes`). Returns the state to continue with on the next chunk.
 */
export function runDenseAutomaton(
  automaton: DenseAutomaton,
  bytes: Uint8Array,
  start: number,
  end: number,
  state: number,
  onMatch: (id: number, length: number, endIndex: number) => void,
): number {
  const { classes, width, next, outLength, outId } = automaton;
  let s = state;
  for (let i = start; i < end; i++) {
    s = next[s * width + classes[bytes[i]!]!]!;
    if (outLength[s]! > 0) onMatch(outId[s]!, outLength[s]!, i + 1);
  }
  return s;
}
