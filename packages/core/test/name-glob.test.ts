import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import {
  CofferError,
  compileGlob,
  loadConfig,
  MAX_GLOB_LENGTH,
  matchesGlob,
  type Provider,
  type ProviderListQuery,
  type SecretMetadata,
  validateTokenGlob,
} from "../src/index.js";
import { globCharactersExamined } from "../src/names/name-glob.js";
import { cleanup, governedCoffer, token } from "./governance-support.js";

/** The documented meaning, as the regex it used to compile to (fine on small inputs). */
function referenceMatch(text: string, pattern: string): boolean {
  let source = "^";
  for (const ch of pattern) {
    if (ch === "*") source += ".*";
    else if (ch === "?") source += ".";
    else source += ch.replace(/[\\^$.|+()[\]{}]/g, "\\$&");
  }
  return new RegExp(`${source}$`, "s").test(text);
}

/** Characters the matcher looks at for one match. */
function stepsOf(text: string, pattern: string): { matched: boolean; steps: number } {
  const glob = compileGlob(pattern);
  const before = globCharactersExamined();
  const matched = glob.test(text);
  return { matched, steps: globCharactersExamined() - before };
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof CofferError ? err.code : "not a CofferError";
  }
  return undefined;
}

afterEach(cleanup);

describe("glob matching", () => {
  it("matches like the documented globs", () => {
    expect(matchesGlob("api-key-stripe", "api-key-*")).toBe(true);
    expect(matchesGlob("db-password", "api-*")).toBe(false);
    expect(matchesGlob("a.b", "a?b")).toBe(true);
    expect(matchesGlob("a/b/c", "a*c")).toBe(true);
    expect(matchesGlob("abc", "a**c")).toBe(true);
    expect(matchesGlob("", "*")).toBe(true);
    expect(matchesGlob("", "")).toBe(true);
    expect(matchesGlob("a", "")).toBe(false);
    expect(matchesGlob("aba", "*a*a")).toBe(true);
    expect(matchesGlob("ab", "*a*a")).toBe(false);
    expect(matchesGlob("a", "a*a")).toBe(false);
  });

  it("agrees with the reference on random small patterns and names", () => {
    const alphabet = fc.constantFrom("a", "b", "/", ".", "é", "*", "?");
    const pattern = fc.array(alphabet, { maxLength: 10 }).map((cs) => cs.join(""));
    const text = fc
      .array(fc.constantFrom("a", "b", "/", ".", "é", "*", "?"), { maxLength: 14 })
      .map((cs) => cs.join(""));
    fc.assert(
      fc.property(pattern, text, (p, t) => {
        expect(matchesGlob(t, p)).toBe(referenceMatch(t, p));
      }),
      { numRuns: 5000 },
    );
  });

  it("agrees with the reference on runs longer than one 32-bit word", () => {
    const run = fc.array(fc.constantFrom("a", "b", "?"), { minLength: 30, maxLength: 70 }).map((cs) => cs.join(""));
    const text = fc.array(fc.constantFrom("a", "b"), { maxLength: 200 }).map((cs) => cs.join(""));
    fc.assert(
      fc.property(run, run, text, (r1, r2, t) => {
        for (const p of [`*${r1}*`, `${r1}*${r2}`, `*${r1}*${r2}*`, r1])
          expect(matchesGlob(t, p)).toBe(referenceMatch(t, p));
      }),
      { numRuns: 1000 },
    );
  });

  it("looks at each character of a long name a bounded number of times (no backtracking)", () => {
    const pattern = "*a*a*a*a*a*a*a*a*a*a*b";
    for (const length of [1_000, 100_000]) {
      const name = "a".repeat(length);
      const { matched, steps } = stepsOf(name, pattern);
      expect(matched).toBe(false);
      // Each character is scanned once between the anchored ends, plus the anchored ends themselves.
      expect(steps).toBeLessThanOrEqual(length + pattern.length);
    }
    // A long run with wildcards costs the same per character as a short one.
    const long = `*${"a?".repeat(60)}b*`;
    const name = "a".repeat(100_000);
    expect(stepsOf(name, long).steps).toBeLessThanOrEqual(name.length + long.length);
    // And the old regex on the same input is the hole: it does not finish in reasonable time
    // (not run here); the new matcher answers the pathological case like the trivial one.
    expect(stepsOf(name, "*b").steps).toBeLessThanOrEqual(2);
  });

  it(`refuses patterns longer than ${MAX_GLOB_LENGTH} characters with INVALID_ARGUMENT`, () => {
    expect(() => compileGlob("*".repeat(MAX_GLOB_LENGTH))).not.toThrow();
    expect(codeOf(() => compileGlob("a".repeat(MAX_GLOB_LENGTH + 1)))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => matchesGlob("a", "*".repeat(MAX_GLOB_LENGTH + 1)))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => validateTokenGlob("a".repeat(MAX_GLOB_LENGTH + 1)))).toBe("INVALID_ARGUMENT");
  });

  it("refuses an overlong branchMap key as a CONFIG error", async () => {
    const { writeFileSync, mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = mkdtempSync(join(tmpdir(), "coffer-glob-"));
    try {
      writeFileSync(join(dir, "coffer.yaml"), `branchMap:\n  "${"x".repeat(MAX_GLOB_LENGTH + 1)}": prod\n`);
      expect(codeOf(() => loadConfig({ cwd: dir, home: dir, env: {} }))).toBe("CONFIG");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("listing with a pathological pattern", () => {
  /** A provider listing many long names (128 characters, the longest allowed). */
  function manyNames(count: number): Provider {
    const items: SecretMetadata[] = Array.from({ length: count }, (_, i) => ({
      name: `${"a".repeat(120)}${String(i).padStart(8, "0")}`,
      scope: { kind: "global" },
      version: 1,
      encoding: "utf-8",
      provider: "many",
      createdAt: "2026-01-01T00:00:00.000Z",
      updatedAt: "2026-01-01T00:00:00.000Z",
    }));
    return {
      name: "many",
      kind: "test",
      capabilities: {
        write: false,
        delete: false,
        softDelete: false,
        purge: false,
        list: true,
        versions: false,
        conditionalWrite: false,
        binary: false,
        metadata: false,
        envs: false,
        scopes: ["global"],
        remote: false,
      },
      async get() {
        throw new CofferError("NOT_FOUND", "not here");
      },
      async list(options?: ProviderListQuery) {
        const start = Number(options?.cursor ?? 0);
        const limit = options?.limit ?? 1000;
        const page = items.slice(start, start + limit);
        const next = start + limit;
        return { items: page, ...(next < items.length ? { nextCursor: String(next) } : {}) };
      },
    };
  }

  it("lists 10k long names through *a*a*a*a*a*a*a*a*a*a*b looking at each character about once", async () => {
    const count = 10_000;
    const { coffer } = await governedCoffer({ providers: [manyNames(count)] });
    const before = globCharactersExamined();
    const result = await coffer.list({ pattern: "*a*a*a*a*a*a*a*a*a*a*b", limit: 10 });
    const steps = globCharactersExamined() - before;
    expect(result.items).toEqual([]);
    expect(steps).toBeLessThanOrEqual(count * (128 + 22));
    const hits = await coffer.list({ pattern: "*a*a*a*a*a*a*a*a*a*a*0000099?", limit: 100 });
    expect(hits.items.map((i) => i.name)).toHaveLength(10);
  });

  it("answers an overlong list pattern with INVALID_ARGUMENT, even over an empty store", async () => {
    const { coffer } = await governedCoffer({ accessor: token("ci", ["secrets:read"]) });
    await expect(coffer.list({ pattern: "*a".repeat(200) })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });
});
