import { randomBytes } from "node:crypto";

/**
 * Draw `count` independent, uniformly distributed integers in `[0, size)` from the operating
 * system CSPRNG. Bytes at or above the largest multiple of `size` below 256 are rejected and
 * redrawn, so there is no modulo bias.
 */
export function randomIndices(size: number, count: number): number[] {
  if (!Number.isInteger(size) || size < 1 || size > 256) throw new RangeError("alphabet size must be 1..256");
  const limit = 256 - (256 % size);
  const out: number[] = [];
  while (out.length < count) {
    // Ask for a little more than the expected need so one draw usually suffices.
    const missing = count - out.length;
    const batch = randomBytes(Math.ceil((missing * 256) / limit) + 16);
    for (const byte of batch) {
      if (byte < limit) {
        out.push(byte % size);
        if (out.length === count) break;
      }
    }
  }
  return out;
}

/** A string of `length` characters drawn uniformly and independently from `alphabet`. */
export function randomString(alphabet: string, length: number): string {
  let out = "";
  for (const i of randomIndices(alphabet.length, length)) out += alphabet[i];
  return out;
}
