// The traps a new user fell into (issue 17), each as the user meets it: the CLI as a real process.
import { readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type CliWorld, createWorld } from "./cli-harness.js";

let w: CliWorld;
afterEach(() => w?.cleanup());

function projectConfig(text: string): void {
  writeFileSync(join(w.cwd, "coffer.yaml"), text, { mode: 0o600 });
}

describe("provider options in coffer.yaml", () => {
  it("puts the store and its companion files at providers.local.storePath, owner-only", async () => {
    w = createWorld();
    projectConfig("providers:\n  local:\n    storePath: secrets/local.db\n    fileMode: 0600\n");
    const set = await w.run(["set", "API_TOKEN"], { input: "tok-storepath" });
    expect(set.code, set.stderr).toBe(0);
    const dir = join(w.cwd, "secrets");
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const files = readdirSync(dir).sort();
    expect(files).toEqual(expect.arrayContaining(["local.db", "local.db-wal", "local.db-shm"]));
    for (const file of files) expect(statSync(join(dir, file)).mode & 0o777, file).toBe(0o600);
    expect(readdirSync(w.home)).not.toContain("store.db");
    const get = await w.run(["get", "API_TOKEN", "--plain"]);
    expect(get.stdout).toBe("tok-storepath\n");
  });

  it("refuses a fileMode other than 0600, naming the option", async () => {
    w = createWorld();
    projectConfig("providers:\n  local:\n    fileMode: 0644\n");
    const list = await w.run(["list"]);
    expect(list.code).toBe(12);
    expect(list.stderr).toContain("providers.local.fileMode");
    expect(list.stderr).toContain("must be 0600");
  });

  it.each([
    ["local", "providers:\n  local:\n    storPath: x.db\n", "storPath", "storePath"],
    ["env", "providers:\n  env:\n    prefx: APP_\n", "prefx", "prefix"],
    ["aws-secrets-manager", "providers:\n  aws-secrets-manager:\n    regoin: eu-west-1\n", "regoin", "region"],
    ["postgres", "providers:\n  postgres:\n    conectionString: postgres://x\n", "conectionString", "connectionString"],
    [
      "azure-keyvault",
      "providers:\n  azure-keyvault:\n    vaultUrl: https://v.vault.azure.net\n    tennant: x\n",
      "tennant",
      "tenantId",
    ],
  ])(
    "refuses an unknown %s option with CONFIG, naming it and listing the valid ones",
    async (kind, yaml, bad, valid) => {
      w = createWorld();
      projectConfig(yaml);
      const list = await w.run(["list"]);
      expect(list.code, list.stderr).toBe(12);
      expect(list.stderr).toContain(`providers.${kind}.${bad}`);
      expect(list.stderr).toContain(`unknown ${kind} provider option "${bad}"`);
      expect(list.stderr).toMatch(new RegExp(`valid options are: .*\\b${valid}\\b`));
    },
  );
});

describe("a store that cannot be opened with the master key in force", () => {
  it("names the variable the wrong key came from", async () => {
    w = createWorld();
    expect((await w.run(["set", "DB_PASSWORD"], { input: "pw" })).code).toBe(0);
    const get = await w.run(["get", "DB_PASSWORD"], { env: { COFFER_MASTER_KEY: "not the key at all" } });
    expect(get.code).toBe(10);
    expect(get.stderr).toContain("cannot be opened with the master key in force");
    expect(get.stderr).toContain("COFFER_MASTER_KEY variable");
  });

  it("names the config entry the wrong key came from", async () => {
    w = createWorld();
    expect((await w.run(["set", "DB_PASSWORD"], { input: "pw" })).code).toBe(0);
    projectConfig("providers:\n  local:\n    masterKey: not-the-key-either\n");
    const get = await w.run(["get", "DB_PASSWORD"]);
    expect(get.code).toBe(10);
    expect(get.stderr).toContain(`providers.local.masterKey in ${join(w.cwd, "coffer.yaml")}`);
  });

  it("names the key file a wrong key came from", async () => {
    w = createWorld();
    expect((await w.run(["set", "DB_PASSWORD"], { input: "pw" })).code).toBe(0);
    writeFileSync(join(w.home, "master.key"), `${Buffer.alloc(32, 7).toString("base64")}\n`, { mode: 0o600 });
    const get = await w.run(["get", "DB_PASSWORD"]);
    expect(get.code).toBe(10);
    expect(get.stderr).toContain(`the key file ${join(w.home, "master.key")}`);
  });
});
