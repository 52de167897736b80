import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliWorld, createWorld, envelope } from "./cli-harness.js";

const VALUES = ["audit_export_value_one_1", "audit_export_value_two_2"];

describe("coffer audit --export / --anomalies", () => {
  let w: CliWorld;
  beforeAll(async () => {
    w = createWorld();
    writeFileSync(
      join(w.cwd, "coffer.yaml"),
      ["accessControl:", "  rules:", "    - id: locked", '      names: ["locked-*"]', "      deny: [reveal]", ""].join(
        "\n",
      ),
      { mode: 0o600 },
    );
    expect((await w.run(["set", "api-one"], { input: VALUES[0] })).code).toBe(0);
    expect((await w.run(["set", "locked-db"], { input: VALUES[1] })).code).toBe(0);
    expect((await w.run(["get", "api-one", "--plain"])).code).toBe(0);
  });
  afterAll(() => w.cleanup());

  it("exports the log as JSON Lines, oldest first, to stdout or a 0600 file, without values", async () => {
    const out = await w.run(["audit", "--export", "jsonl"]);
    expect(out.code, out.stderr).toBe(0);
    const lines = out.stdout.split("\n");
    expect(lines.pop()).toBe("");
    const entries = lines.map((l) => JSON.parse(l) as { seq: number; action: string; name?: string; hash: string });
    expect(entries.length).toBeGreaterThanOrEqual(3);
    const seqs = entries.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(entries[0]).toMatchObject({ seq: 1, action: "write", name: "api-one" });
    expect(entries.some((e) => e.action === "reveal" && e.name === "api-one")).toBe(true);
    for (const v of VALUES) expect(out.stdout).not.toContain(v);

    const file = await w.run(["audit", "--export", "jsonl", "--output", "audit.jsonl", "--json"]);
    expect(file.code, file.stderr).toBe(0);
    const result = envelope<{ file: string; entries: number }>(file).data;
    expect(result.file).toBe(join(w.cwd, "audit.jsonl"));
    expect(statSync(result.file).mode & 0o777).toBe(0o600);
    const written = readFileSync(result.file, "utf8").trim().split("\n");
    expect(written.length).toBe(result.entries);
    expect(JSON.parse(written[0]!)).toMatchObject({ seq: 1, action: "write" });

    const human = await w.run([
      "audit",
      "--export",
      "jsonl",
      "-o",
      "writes.jsonl",
      "--action",
      "write",
      "--limit",
      "1",
    ]);
    expect(human.stdout).toMatch(/^✓ Exported 1 audit entries to \S+writes\.jsonl \(JSON Lines, mode 0600\)\n$/);
    expect(JSON.parse(readFileSync(join(w.cwd, "writes.jsonl"), "utf8"))).toMatchObject({
      action: "write",
      name: "locked-db",
    });

    expect((await w.run(["audit", "--export", "csv"])).code).toBe(2);
    expect((await w.run(["audit", "--export", "jsonl", "--json"])).code).toBe(2);
    expect((await w.run(["audit", "--export", "jsonl", "--verify"])).code).toBe(2);
    expect((await w.run(["audit", "--output", "x.jsonl"])).code).toBe(2);
  });

  it("flags repeated denials", async () => {
    const calm = await w.run(["audit", "--anomalies"]);
    expect(calm.code, calm.stderr).toBe(0);
    expect(calm.stdout).toMatch(/^✓ No anomalies in the last \d+ audit entries\n$/);

    for (let i = 0; i < 5; i++) expect((await w.run(["get", "locked-db", "--plain"])).code).toBe(6);
    const flagged = await w.run(["audit", "--anomalies"]);
    expect(flagged.code).toBe(0);
    expect(flagged.stdout).toMatch(/^⚠ 1 anomaly in the last \d+ audit entries:\n/);
    expect(flagged.stdout).toMatch(
      / {2}⚠ repeated denials: '[^']+' was refused 5 times \(\d{4}-.+Z → \d{4}-.+Z\); secrets: locked-db\n/,
    );
    const json = envelope<{ anomalies: Array<{ kind: string; count: number; names: string[] }> }>(
      await w.run(["audit", "--anomalies", "--json"]),
    );
    expect(json.data.anomalies).toEqual([
      expect.objectContaining({ kind: "repeated-denials", count: 5, names: ["locked-db"] }),
    ]);
    // Only what happened since a later time is judged.
    const later = new Date(Date.now() + 60_000).toISOString();
    expect((await w.run(["audit", "--anomalies", "--since", later])).stdout).toMatch(/^✓ No anomalies/);
    expect(w.transcript.join("\n")).not.toContain(VALUES[1]);
  });
});
