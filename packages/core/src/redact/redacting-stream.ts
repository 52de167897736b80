import { Transform } from "node:stream";
import { planRedaction } from "./redactor.js";
import { SecretMatcher } from "./secret-matcher.js";

/**
 * A Node `Transform` that masks secret values in a byte stream (a child process's stdout or
 * stderr), replacing each with `[REDACTED:NAME]` from `names` (value -> name), or `[REDACTED]`.
 * Matching is on the UTF-8 bytes of each value, so binary output passes through unchanged and a
 * value split across chunks (even inside a multi-byte character) is still caught. Bytes are
 * released as soon as they cannot begin a value. Values shorter than 4 characters are ignored.
 * @throws CofferError INVALID_ARGUMENT when a value or name is not a string.
 */
export function createRedactingStream(values: Iterable<string>, names?: ReadonlyMap<string, string>): Transform {
  const plan = planRedaction(values, names ? { names } : {});
  const matcher = new SecretMatcher(plan.values.map((v) => Buffer.from(v, "utf8")));
  const replacements = plan.replacements.map((r) => Buffer.from(r, "utf8"));
  let held: Buffer = Buffer.alloc(0);

  const run = (chunk: Buffer, final: boolean): Buffer => {
    const data = held.length === 0 ? chunk : Buffer.concat([held, chunk]);
    const { ops, consumed } = matcher.scan({ length: data.length, unitAt: (i) => data[i]! }, final);
    held = Buffer.from(data.subarray(consumed));
    return Buffer.concat(
      ops.map((op) => (op.kind === "text" ? data.subarray(op.start, op.end) : replacements[op.id]!)),
    );
  };

  return new Transform({
    transform(chunk: Buffer | string, encoding, callback) {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk, encoding) : chunk;
      const out = run(bytes, false);
      callback(null, out.length > 0 ? out : undefined);
    },
    flush(callback) {
      const out = run(Buffer.alloc(0), true);
      callback(null, out.length > 0 ? out : undefined);
    },
  });
}
