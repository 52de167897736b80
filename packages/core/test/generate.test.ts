import { describe, expect, it } from "vitest";
import { CofferError } from "../src/errors/index.js";
import { DIGITS, LOWERCASE, SYMBOLS, UPPERCASE } from "../src/generate/character-classes.js";
import { type GenerateSecretOptions, generateSecret } from "../src/generate/index.js";
import { randomIndices } from "../src/generate/uniform-random.js";

/** Pearson chi-square statistic of observed character counts against a uniform distribution. */
function chiSquare(text: string, alphabet: string): number {
  const counts = new Map<string, number>([...alphabet].map((c) => [c, 0]));
  for (const ch of text) {
    expect(counts.has(ch)).toBe(true);
    counts.set(ch, counts.get(ch)! + 1);
  }
  const expected = text.length / alphabet.length;
  let chi = 0;
  for (const n of counts.values()) chi += (n - expected) ** 2 / expected;
  return chi;
}

function generateError(options: GenerateSecretOptions): CofferError {
  try {
    generateSecret(options);
  } catch (err) {
    expect(err).toBeInstanceOf(CofferError);
    return err as CofferError;
  }
  throw new Error("expected generateSecret to throw");
}

describe("generateSecret formats", () => {
  it("defaults to a 32-byte base64url token", () => {
    const secret = generateSecret();
    expect(secret.format).toBe("token");
    expect(secret.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(secret.entropyBits).toBe(256);
  });

  it("makes api keys: prefix plus a base62 body", () => {
    const secret = generateSecret({ format: "api-key", prefix: "sk_live_" });
    expect(secret.value).toMatch(/^sk_live_[A-Za-z0-9]{32}$/);
    expect(secret.entropyBits).toBe(190.53);
    expect(generateSecret({ format: "api-key", length: 8 }).value).toMatch(/^[A-Za-z0-9]{8}$/);
  });

  it("makes prefixed tokens of the requested byte count", () => {
    const secret = generateSecret({ format: "token", length: 48, prefix: "ghp_" });
    expect(secret.value).toMatch(/^ghp_[A-Za-z0-9_-]{64}$/);
    expect(secret.entropyBits).toBe(384);
  });

  it("makes hex: 32 bytes as 64 digits by default", () => {
    const secret = generateSecret({ format: "hex" });
    expect(secret.value).toMatch(/^[0-9a-f]{64}$/);
    expect(secret.entropyBits).toBe(256);
    expect(generateSecret({ format: "hex", length: 16 }).value).toHaveLength(32);
  });

  it("makes v4 UUIDs and ignores length", () => {
    const secret = generateSecret({ format: "uuid", length: 3 });
    expect(secret.value).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(secret.entropyBits).toBe(122);
  });

  it("makes alphanumeric strings, optionally narrowed", () => {
    const secret = generateSecret({ format: "alphanumeric" });
    expect(secret.value).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(secret.entropyBits).toBe(190.53);
    const digits = generateSecret({ format: "alphanumeric", length: 12, charset: { lower: false, upper: false } });
    expect(digits.value).toMatch(/^[0-9]{12}$/);
    expect(digits.entropyBits).toBe(39.86);
  });

  it("makes passwords holding every enabled class, every time", () => {
    const classes = [LOWERCASE, UPPERCASE, DIGITS, SYMBOLS];
    for (let i = 0; i < 300; i++) {
      const { value } = generateSecret({ format: "password", length: 8 });
      expect(value).toHaveLength(8);
      for (const cls of classes) expect([...value].some((ch) => cls.includes(ch))).toBe(true);
    }
    const noSymbols = generateSecret({ format: "password", charset: { symbols: false } });
    expect(noSymbols.value).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(/[a-z]/.test(noSymbols.value) && /[A-Z]/.test(noSymbols.value) && /[0-9]/.test(noSymbols.value)).toBe(true);
  });

  it("reports the true entropy of passwords (all classes required)", () => {
    // 8 characters over 89 symbols with all four classes present: count by inclusion-exclusion.
    const n = 89n;
    const sizes = [26n, 26n, 10n, 27n];
    let count = 0n;
    for (let mask = 0; mask < 16; mask++) {
      let missing = 0n;
      let odd = false;
      sizes.forEach((s, i) => {
        if (mask & (1 << i)) {
          missing += s;
          odd = !odd;
        }
      });
      count += (odd ? -1n : 1n) * (n - missing) ** 8n;
    }
    const exact = Math.log2(Number(count));
    const { entropyBits } = generateSecret({ format: "password", length: 8 });
    expect(entropyBits).toBeLessThanOrEqual(exact);
    expect(exact - entropyBits).toBeLessThan(0.01);
    expect(entropyBits).toBeLessThan(8 * Math.log2(89));
    expect(generateSecret({ format: "password" }).entropyBits).toBeGreaterThan(150);
  });

  it("never repeats itself", () => {
    const seen = new Set(Array.from({ length: 200 }, () => generateSecret({ format: "api-key", length: 12 }).value));
    expect(seen.size).toBe(200);
  });
});

describe("generateSecret statistics", () => {
  // Chi-square critical value for 61 degrees of freedom at p = 1e-6 is about 129; modulo bias
  // (256 % 62 = 8 over-represented characters) would push it into the hundreds.
  it("spreads alphanumeric characters uniformly", () => {
    let text = "";
    for (let i = 0; i < 16; i++) text += generateSecret({ format: "alphanumeric", length: 4096 }).value;
    expect(chiSquare(text, DIGITS + UPPERCASE + LOWERCASE)).toBeLessThan(130);
  });

  it("spreads password characters uniformly", () => {
    let text = "";
    for (let i = 0; i < 16; i++) text += generateSecret({ format: "password", length: 4096 }).value;
    // 88 degrees of freedom: p = 1e-6 critical value is about 166.
    expect(chiSquare(text, LOWERCASE + UPPERCASE + DIGITS + SYMBOLS)).toBeLessThan(170);
  });

  it("samples without modulo bias even for alphabets that divide 256 badly", () => {
    // With plain `byte % 200`, values 0..55 would come up twice as often as the rest.
    const draws = randomIndices(200, 200_000);
    const low = draws.filter((d) => d < 56).length / 56;
    const high = draws.filter((d) => d >= 56).length / 144;
    expect(Math.abs(low / high - 1)).toBeLessThan(0.05);
    expect(draws.reduce((a, b) => Math.min(a, b))).toBe(0);
    expect(draws.reduce((a, b) => Math.max(a, b))).toBe(199);
  });
});

describe("generateSecret validation", () => {
  it.each([
    [{ format: "base32" as never }, "format", 'format "base32" is not one of'],
    [{ format: "hex", length: 7 }, "length", "length must be a whole number from 8 to 4096"],
    [{ format: "api-key", length: 4097 }, "length", "from 8 to 4096"],
    [{ format: "password", length: 12.5 }, "length", "whole number"],
    [{ format: "token", length: "32" as never }, "length", "whole number"],
    [{ format: "hex", prefix: "0x" }, "prefix", "prefix applies only to the api-key and token formats"],
    [{ format: "api-key", prefix: "sk live" }, "prefix", "[A-Za-z0-9_.:-]"],
    [{ format: "api-key", prefix: "p".repeat(65) }, "prefix", "at most 64"],
    [
      { format: "token", charset: { symbols: false } },
      "charset",
      "charset applies only to the password and alphanumeric",
    ],
    [
      { format: "password", charset: { lower: false, upper: false, digits: false, symbols: false } },
      "charset",
      "at least one",
    ],
    [{ format: "alphanumeric", charset: { symbols: true } }, "charset", "no symbols"],
    [{ format: "password", charset: { emoji: true } as never }, "charset", 'no class "emoji"'],
    [{ format: "password", charset: { lower: "yes" } as never }, "charset", "charset.lower must be true or false"],
  ] as Array<[GenerateSecretOptions, string, string]>)("rejects %j", (options, field, message) => {
    const err = generateError(options);
    expect(err.code).toBe("INVALID_ARGUMENT");
    expect(err.details.field).toBe(field);
    expect(err.message).toContain(message);
  });

  it("accepts the bounds themselves", () => {
    expect(generateSecret({ format: "alphanumeric", length: 8 }).value).toHaveLength(8);
    expect(generateSecret({ format: "alphanumeric", length: 4096 }).value).toHaveLength(4096);
  });
});
