import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { collectScanValues, createPolicyEngine, findGenericSecrets, ValueScanner } from "../src/index.js";
import { agent, cleanup, governedCoffer, SENTINEL, user } from "./governance-support.js";

afterEach(cleanup);

/** Line and column (UTF-16, 1-based) of a character offset, the slow obvious way. */
function naivePosition(text: string, offset: number) {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - (before.lastIndexOf("\n") + 1) + 1 };
}

function chunked(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let at = 0;
  for (const p of points) {
    out.push(bytes.subarray(at, p));
    at = p;
  }
  out.push(bytes.subarray(at));
  return out;
}

describe("ValueScanner", () => {
  it("finds every planted value with its line and column, however the input is cut (property)", async () => {
    const valueArb = fc.stringMatching(/^[QXZ][A-Za-z0-9]{9,20}$/);
    const fillerArb = fc.array(
      fc.oneof(fc.constantFrom("\n", " ", "é", "✓", "🔑", "ab", "\r\n"), fc.stringMatching(/^[a-p ]{0,12}$/)),
      { maxLength: 40 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(valueArb, { minLength: 1, maxLength: 5 }),
        fc.array(fc.tuple(fillerArb, fc.nat()), { maxLength: 6 }),
        fillerArb,
        fc.array(fc.nat(), { maxLength: 8 }),
        async (values, pieces, tail, cuts) => {
          // Values that contain each other would be reported once (the longest): keep them apart.
          fc.pre(values.every((a) => values.every((b) => a === b || !a.includes(b))));
          let text = "";
          const planted: Array<{ offset: number; name: string }> = [];
          for (const [filler, which] of pieces) {
            text += filler.join("");
            const i = which % values.length;
            planted.push({ offset: text.length, name: `S${i}` });
            text += values[i];
          }
          text += tail.join("");
          const scanner = new ValueScanner(
            values.map((value, i) => ({ value, name: `S${i}`, scope: "global", version: 1 })),
          );
          const hits = await scanner.scan(chunked(Buffer.from(text, "utf8"), cuts));
          expect(hits.map((h) => ({ name: h.names[0], line: h.line, column: h.column }))).toEqual(
            planted.map((p) => ({ name: p.name, ...naivePosition(text, p.offset) })),
          );
          expect(JSON.stringify(hits)).not.toContain(values[0]!);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("ignores values shorter than 8 bytes and reports every name holding a value", async () => {
    const scanner = new ValueScanner([
      { value: "short7!", name: "SHORT", scope: "global", version: 1 },
      { value: "shared-value-123", name: "A", scope: "global", version: 1 },
      { value: "shared-value-123", name: "B", scope: "project", version: 2 },
    ]);
    expect(scanner.size).toBe(1);
    const hits = await scanner.scan([Buffer.from("short7! and shared-value-123\n")]);
    expect(hits).toMatchObject([{ names: ["A", "B"], line: 1, column: 13 }]);
  });
});

describe("collectScanValues", () => {
  it("gathers current and past versions of every env state and scope, skipping write-only", async () => {
    const { coffer } = await governedCoffer({ accessor: user("alice") });
    await coffer.set("API_KEY", "first-version-value");
    await coffer.set("API_KEY", SENTINEL);
    await coffer.set("API_KEY", "prod-state-value-1", { env: "prod" });
    await coffer.set("TEAM_KEY", "team-scope-value-1", { scope: "team", teamId: "acme" });
    await coffer.set("WO", "write-only-value-1", { writeOnly: true });
    const got = await collectScanValues(coffer);
    expect(got.values.map((v) => [v.name, v.env ?? "", v.version, v.value]).sort()).toEqual(
      [
        ["API_KEY", "", 1, "first-version-value"],
        ["API_KEY", "", 2, SENTINEL],
        ["API_KEY", "prod", 1, "prod-state-value-1"],
        ["TEAM_KEY", "", 1, "team-scope-value-1"],
      ].sort(),
    );
    expect(got.skipped).toEqual([{ name: "WO", scope: "global", code: "WRITE_ONLY" }]);
    const reveals = await coffer.audit({ action: "reveal" });
    expect(reveals.filter((e) => e.purpose === "coffer scan").length).toBe(4);
  });

  it("leaves out what the caller may not reveal", async () => {
    const policy = createPolicyEngine({
      layers: [
        {
          source: "user",
          config: {
            accessControl: {
              enforce: true,
              defaultPermissions: ["read"],
              rules: [
                { id: "bot", accessors: ["agent:bot"], names: ["OK_*"], allow: ["reveal"] },
                { id: "people", accessors: ["cli"], allow: ["*"] },
              ],
            },
          },
        },
      ],
    });
    const { coffer } = await governedCoffer({ policy, accessor: user("alice") });
    await coffer.set("OK_ONE", "allowed-value-123");
    await coffer.set("HIDDEN", "hidden-value-456");
    const got = await collectScanValues(coffer.withAccessor(agent("bot")));
    expect(got.values.map((v) => v.name)).toEqual(["OK_ONE"]);
    expect(got.skipped.map((s) => [s.name, s.code])).toEqual([["HIDDEN", "PERMISSION_DENIED"]]);
  });
});

describe("generic detectors", () => {
  it("finds key formats and high-entropy tokens, not words", () => {
    const text =
      "aws = AKIAIOSFODNN7EXAMPLE\nplain words and a/long/path/that/is/not/secret\nx = 'q8ZfP2kL9vRt4WmX7bNc3YdH6sJ1'\n-----BEGIN RSA PRIVATE KEY-----\n";
    expect(findGenericSecrets(text).map((h) => [h.rule, h.line, h.column])).toEqual([
      ["aws-access-key-id", 1, 7],
      ["high-entropy", 3, 6],
      ["private-key", 4, 1],
    ]);
  });
});
