import { AsyncLocalStorage } from "node:async_hooks";

/**
 * One front-end operation (a REST request) as seen by store change detection. A store checks
 * whether another process changed it at most once per operation and event-loop turn: every read
 * of the operation after that reuses the answer. A commit by another process that completed
 * before the operation started is always seen; one that lands while the operation runs may be
 * seen only by the next operation, as if it had come a moment later.
 */
export interface ReadContext {
  readonly kind: "read-context";
}

const storage = new AsyncLocalStorage<ReadContext>();

/**
 * Run `fn` as one operation: stores read inside it (and in the promises it starts) check for
 * changes by other processes once per event-loop turn instead of before every read. Outside any
 * operation every read checks.
 */
export function runInReadContext<T>(fn: () => T): T {
  return storage.run({ kind: "read-context" }, fn);
}

/** The operation the caller runs in, if any (see {@link runInReadContext}). */
export function currentReadContext(): ReadContext | undefined {
  return storage.getStore();
}

let turn = 0;
let turnEnding = false;

/**
 * A number that changes after every event-loop turn in which it was asked for. An answer kept
 * for one operation is only reused within the same turn, so work an operation schedules for
 * later (a timer, a long request) checks again.
 */
export function currentTurn(): number {
  if (!turnEnding) {
    turnEnding = true;
    setImmediate(endTurn).unref();
  }
  return turn;
}

function endTurn(): void {
  turn++;
  turnEnding = false;
}
