import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CofferError } from "@coffer/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { awsSecretsManager } from "../src/index.js";

const ADDRESS = { name: "A", scope: { kind: "global" } } as const;
const KEYS = ["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"];

describe("configuration failures are typed, never a miss", () => {
  const saved = new Map<string, string | undefined>();
  let home: string;

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), "coffer-aws-home-"));
    for (const key of KEYS) saved.set(key, process.env[key]);
    for (const key of KEYS) delete process.env[key];
    // Empty config files: nothing leaks in from the machine running the tests.
    process.env.AWS_CONFIG_FILE = join(home, "config");
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(home, "credentials");
  });
  afterEach(() => {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    rmSync(home, { recursive: true, force: true });
  });

  it("a missing region is CONFIG with a hint", async () => {
    const provider = awsSecretsManager({ credentials: { accessKeyId: "a", secretAccessKey: "b" }, maxRetries: 0 });
    const error = (await provider.get(ADDRESS).catch((e: unknown) => e)) as CofferError;
    expect(error).toBeInstanceOf(CofferError);
    expect(error.code).toBe("CONFIG");
    expect(error.details.hint).toMatch(/AWS_REGION/);
    await provider.dispose();
  });

  it("an unknown profile (no credentials) is PERMISSION_DENIED with a hint", async () => {
    const provider = awsSecretsManager({
      region: "us-east-1",
      endpoint: "http://127.0.0.1:9",
      profile: "coffer-test-no-such-profile",
      maxRetries: 0,
    });
    const error = (await provider.get(ADDRESS).catch((e: unknown) => e)) as CofferError;
    expect(error).toBeInstanceOf(CofferError);
    expect(error.code).toBe("PERMISSION_DENIED");
    expect(error.message).toMatch(/no usable AWS credentials/);
    expect(error.details.hint).toMatch(/AWS_PROFILE/);
    await provider.dispose();
  });

  it("an unreachable endpoint is UNAVAILABLE after the retries", async () => {
    const provider = awsSecretsManager({
      region: "us-east-1",
      endpoint: "http://127.0.0.1:9",
      credentials: { accessKeyId: "a", secretAccessKey: "b" },
      maxRetries: 1,
      retryBaseDelayMs: 1,
    });
    const error = (await provider.get(ADDRESS).catch((e: unknown) => e)) as CofferError;
    expect(error.code).toBe("UNAVAILABLE");
    expect(error.message).toMatch(/ECONNREFUSED.*after 2 attempts/);
    const health = await provider.health();
    expect(health.ok).toBe(false);
    await provider.dispose();
  });
});
