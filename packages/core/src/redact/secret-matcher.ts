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
