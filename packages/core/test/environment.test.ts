import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { currentGitBranch, decayOf, detectEnvironment, parseDurationOrDate } from "../src/index.js";

function repoOnBranch(branch: string): string {
  const root = mkdtempSync(join(tmpdir(), "coffer-env-"));
  mkdirSync(join(root, ".git"));
  writeFileSync(join(root, ".git", "HEAD"), `ref: refs/heads/${branch}\n`);
  return root;
}

describe("environment detection", () => {
  const base = {
    processEnv: {},
    branchMap: { main: "prod", "release/*": "staging" },
    projectRoot: repoOnBranch("main"),
  };

  it("prefers the explicit argument, then COFFER_ENV, then config, then the branch map", () => {
    expect(
      detectEnvironment({ ...base, explicit: "dev", processEnv: { COFFER_ENV: "qa" }, configEnv: "x" }),
    ).toMatchObject({ env: "dev", source: "argument" });
    expect(detectEnvironment({ ...base, processEnv: { COFFER_ENV: "qa" }, configEnv: "x" })).toMatchObject({
      env: "qa",
      source: "COFFER_ENV",
      reason: "COFFER_ENV=qa",
    });
    expect(detectEnvironment({ ...base, configEnv: "x" })).toMatchObject({ env: "x", source: "config" });
    expect(detectEnvironment(base)).toMatchObject({ env: "prod", source: "branch", branch: "main" });
  });

  it("matches branch globs and falls back to the default state", () => {
    expect(detectEnvironment({ ...base, projectRoot: repoOnBranch("release/2.1") })).toMatchObject({
      env: "staging",
      source: "branch",
    });
    const other = detectEnvironment({ ...base, projectRoot: repoOnBranch("feature/x") });
    expect(other.env).toBeUndefined();
    expect(other.source).toBe("default");
    expect(detectEnvironment({ ...base, branchMap: {} }).source).toBe("default");
  });

  it("reads the branch of a detached worktree pointer file", () => {
    const main = repoOnBranch("main");
    const wt = mkdtempSync(join(tmpdir(), "coffer-wt-"));
    mkdirSync(join(main, ".git", "worktrees", "w"), { recursive: true });
    writeFileSync(join(main, ".git", "worktrees", "w", "HEAD"), "ref: refs/heads/topic\n");
    writeFileSync(join(wt, ".git"), `gitdir: ${join(main, ".git", "worktrees", "w")}\n`);
    expect(currentGitBranch(wt)).toBe("topic");
  });

  it("rejects an invalid env name from any source", () => {
    expect(() => detectEnvironment({ ...base, processEnv: { COFFER_ENV: "bad env" } })).toThrow(
      /env "bad env" must match/,
    );
  });
});

describe("decay", () => {
  const updatedAt = "2026-01-01T00:00:00.000Z";
  const at = (s: number) => new Date(Date.parse(updatedAt) + s * 1000);

  it("is fresh, then stale at 75% of the TTL, then expired", () => {
    expect(decayOf({ updatedAt, ttlSeconds: 100 }, at(10)).state).toBe("fresh");
    expect(decayOf({ updatedAt, ttlSeconds: 100 }, at(74)).state).toBe("fresh");
    expect(decayOf({ updatedAt, ttlSeconds: 100 }, at(75)).state).toBe("stale");
    const expired = decayOf({ updatedAt, ttlSeconds: 100 }, at(101));
    expect(expired.state).toBe("expired");
    expect(expired.secondsRemaining).toBe(-1);
  });

  it("treats expiresAt as hard and reports none without either", () => {
    expect(decayOf({ updatedAt, expiresAt: "2026-01-02T00:00:00.000Z" }, at(10)).state).toBe("fresh");
    expect(decayOf({ updatedAt, expiresAt: "2026-01-02T00:00:00.000Z" }, at(86400)).state).toBe("hard-expired");
    expect(decayOf({ updatedAt }, at(1e9)).state).toBe("none");
  });

  it("parses durations and dates", () => {
    expect(parseDurationOrDate("30d", new Date())).toEqual({ seconds: 30 * 86400 });
    expect(parseDurationOrDate("24h", new Date())).toEqual({ seconds: 86400 });
    expect(parseDurationOrDate("2025-12-31", new Date())?.date?.toISOString()).toBe("2025-12-31T00:00:00.000Z");
    expect(parseDurationOrDate("soon", new Date())).toBeUndefined();
  });
});
