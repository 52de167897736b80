import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { type MotoServer, motoUnavailableReason, startMoto } from "@coffer/test-emulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliWorld, createWorld } from "./cli-harness.js";

// A user whose AWS account already holds secrets made by other tools points Coffer at them with
// `layout: flat`: `coffer get` and `coffer run` read them by their own names.

const MOTO_SKIP_REASON = motoUnavailableReason();
const DB_PASSWORD = "flat-db-Sentinel-7c1e";
const RAW = "raw-Sentinel-2b9d";

describe.skipIf(MOTO_SKIP_REASON !== undefined)("AWS secrets made by other tools (layout: flat, moto)", () => {
  let moto: MotoServer;
  let raw: SecretsManagerClient;
  let w: CliWorld;
  const prefix = `t-flat-${randomBytes(4).toString("hex")}/`;

  beforeAll(async () => {
    moto = await startMoto();
    raw = new SecretsManagerClient({
      region: "us-east-1",
      endpoint: moto.endpoint,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    await raw.send(new CreateSecretCommand({ Name: `${prefix}prod/db/password`, SecretString: DB_PASSWORD }));
    await raw.send(new CreateSecretCommand({ Name: `${prefix}RAW_SECRET`, SecretString: RAW }));
    w = createWorld({ COFFER_MASTER_KEY: randomBytes(32).toString("hex") });
    writeFileSync(
      join(w.cwd, "coffer.yaml"),
      [
        "defaultProvider: aws-secrets-manager",
        "providers:",
        "  aws-secrets-manager:",
        "    priority: 90",
        `    endpoint: ${JSON.stringify(moto.endpoint)}`,
        "    region: us-east-1",
        `    prefix: ${JSON.stringify(prefix)}`,
        "    layout: flat",
        "    credentials: { accessKeyId: testing, secretAccessKey: testing }",
        "",
      ].join("\n"),
    );
  });
  afterAll(async () => {
    w?.cleanup();
    raw?.destroy();
    await moto?.stop();
  });

  it("coffer get reads prod/db/password and RAW_SECRET as they are", async () => {
    const db = await w.run(["get", "prod/db/password", "--plain"]);
    expect(db.stderr).toBe("");
    expect(db.code).toBe(0);
    expect(db.stdout.trim()).toBe(DB_PASSWORD);
    expect((await w.run(["get", "RAW_SECRET", "--plain"])).stdout.trim()).toBe(RAW);
  });

  it("coffer run injects them", async () => {
    const script =
      "console.log(process.env.RAW_SECRET === process.argv[1], process.env.PROD_DB_PASSWORD === process.argv[2])";
    const r = await w.run(["run", "--", process.execPath, "-e", script, RAW, DB_PASSWORD]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("true true\n");
  });

  it("coffer set writes a plain secret of that name; a scoped write is refused with a clear message", async () => {
    const set = await w.run(["set", "app/NEW_KEY"], { input: "new-flat-value" });
    expect(set.code).toBe(0);
    const stored = await raw.send(new GetSecretValueCommand({ SecretId: `${prefix}app/NEW_KEY` }));
    expect(stored.SecretString).toBe("new-flat-value");
    const scoped = await w.run(["set", "OTHER", "--scope", "project"], { input: "x" });
    expect(scoped.code).not.toBe(0);
    expect(scoped.stderr).toMatch(/flat layout/);
  });
});
