// The traps a new user fell into (issue 17), each as the user meets it: the CLI as a real process.
import { readdirSync, renameSync, statSync, writeFileSync } from "node:fs";
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

  it("fails list (non-zero) instead of showing an empty store when no master key is in force", async () => {
    w = createWorld();
    expect((await w.run(["set", "DB_PASSWORD"], { input: "pw" })).code).toBe(0);
    renameSync(join(w.home, "master.key"), join(w.root, "master.key.moved"));
    const list = await w.run(["list"]);
    expect(list.code).toBe(12);
    expect(list.stdout).not.toContain("0 total");
    expect(list.stderr).toContain("cannot be opened: no master key is in force");
    const wrong = await w.run(["list"], { env: { COFFER_MASTER_KEY: "a wrong passphrase" } });
    expect(wrong.code).toBe(10);
    expect(wrong.stderr).toContain("COFFER_MASTER_KEY variable");
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

describe("a deleted name", () => {
  it("can be set again: a live secret starts, its deleted versions stay in history, and the output says so", async () => {
    w = createWorld();
    expect((await w.run(["set", "API_KEY"], { input: "old-1" })).code).toBe(0);
    expect((await w.run(["set", "API_KEY"], { input: "old-2" })).code).toBe(0);
    expect((await w.run(["delete", "API_KEY", "--confirm"])).code).toBe(0);

    const set = await w.run(["set", "API_KEY"], { input: "new-3" });
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain("Replaced a deleted secret");
    expect(set.stdout).toContain("Version: 3");
    expect((await w.run(["get", "API_KEY", "--plain"])).stdout).toBe("new-3\n");
    const history = await w.run(["history", "API_KEY", "--json"]);
    expect(history.stdout).toContain('"version": 1');
    const again = await w.run(["set", "API_KEY"], { input: "new-4" });
    expect(again.stdout).not.toContain("Replaced a deleted secret");
  });

  it("is taken as absent by --if-version 0", async () => {
    w = createWorld();
    expect((await w.run(["set", "DB_URL"], { input: "a" })).code).toBe(0);
    expect((await w.run(["delete", "DB_URL", "--confirm"])).code).toBe(0);
    const created = await w.run(["set", "DB_URL", "--if-version", "0"], { input: "b" });
    expect(created.code, created.stderr).toBe(0);
  });

  it("names restore and --purge when deleted again, and delete --purge removes it for good", async () => {
    w = createWorld();
    expect((await w.run(["set", "OLD_TOKEN"], { input: "t" })).code).toBe(0);
    expect((await w.run(["delete", "OLD_TOKEN", "--confirm"])).code).toBe(0);
    const twice = await w.run(["delete", "OLD_TOKEN", "--confirm"]);
    expect(twice.code).toBe(3);
    expect(twice.stderr).toContain("already deleted");
    expect(twice.stderr).toContain("coffer restore OLD_TOKEN");
    expect(twice.stderr).toContain("coffer delete OLD_TOKEN --purge");
    expect(twice.stderr).not.toContain("--include-expired");

    const purge = await w.run(["delete", "OLD_TOKEN", "--purge", "--confirm"]);
    expect(purge.code, purge.stderr).toBe(0);
    expect(purge.stdout).toContain("purged");
    expect((await w.run(["restore", "OLD_TOKEN"])).code).toBe(3);
    const listed = await w.run(["list", "--include-deleted", "--json"]);
    expect(listed.stdout).not.toContain("OLD_TOKEN");
  });

  it("works with the tenant-style aliases: secret rm, then secret set", async () => {
    w = createWorld();
    expect((await w.run(["secret", "set", "NPM_TOKEN"], { input: "npm-1" })).code).toBe(0);
    expect((await w.run(["secret", "rm", "NPM_TOKEN", "--confirm"])).stdout).toBe('Deleted secret "NPM_TOKEN"\n');
    const set = await w.run(["secret", "set", "NPM_TOKEN"], { input: "npm-2" });
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('Set secret "NPM_TOKEN"');
  });
});

describe("coffer secret set (tenant secrets)", () => {
  it("stores write-only by default: injected by run, never read back", async () => {
    w = createWorld();
    expect((await w.run(["secret", "set", "ANTHROPIC_API_KEY"], { input: "sk-ant-writeonly" })).code).toBe(0);
    const get = await w.run(["get", "ANTHROPIC_API_KEY", "--plain"]);
    expect(get.code).not.toBe(0);
    expect(get.stdout).not.toContain("sk-ant-writeonly");
    const run = await w.run(["run", "--", "sh", "-c", 'test "$ANTHROPIC_API_KEY" = sk-ant-writeonly']);
    expect(run.code, run.stderr).toBe(0);
  });

  it("stores readable with --readable", async () => {
    w = createWorld();
    expect((await w.run(["secret", "set", "DEV_TOKEN", "--readable"], { input: "dev-readable" })).code).toBe(0);
    expect((await w.run(["get", "DEV_TOKEN", "--plain"])).stdout).toBe("dev-readable\n");
  });
});

describe("coffer export to an encrypted-looking file", () => {
  it("refuses plaintext values to backup.json.enc with a hint to --encrypt, and writes nothing", async () => {
    w = createWorld();
    expect((await w.run(["set", "STRIPE_KEY"], { input: "sk_live_plain" })).code).toBe(0);
    const out = await w.run(["export", "--include-values", "--output", "backup.json.enc", "--yes"]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("--encrypt");
    expect(readdirSync(w.cwd)).not.toContain("backup.json.enc");
  });
});

describe("plugin, agent and user scopes", () => {
  it("takes the plugin id from config, and a plain get finds the caller's own plugin and user secrets first", async () => {
    w = createWorld();
    projectConfig("pluginId: billing-plugin\n");
    expect((await w.run(["set", "DB_PASSWORD"], { input: "global-pw" })).code).toBe(0);
    const plugin = await w.run(["set", "DB_PASSWORD", "--scope", "plugin"], { input: "plugin-pw" });
    expect(plugin.code, plugin.stderr).toBe(0);
    expect(plugin.stdout).toContain("Scope: plugin:billing-plugin");
    const user = await w.run(["set", "USER_TOKEN", "--scope", "user"], { input: "user-token" });
    expect(user.code, user.stderr).toBe(0);
    expect((await w.run(["get", "DB_PASSWORD", "--plain"])).stdout).toBe("plugin-pw\n");
    expect((await w.run(["get", "USER_TOKEN", "--plain"])).stdout).toBe("user-token\n");
    expect((await w.run(["get", "DB_PASSWORD", "--scope", "global", "--plain"])).stdout).toBe("global-pw\n");
  });

  it("says where to set the plugin id when none is configured", async () => {
    w = createWorld();
    const set = await w.run(["set", "DB_PASSWORD", "--scope", "plugin"], { input: "x" });
    expect(set.code).toBe(2);
    expect(set.stderr).toContain("plugin scope needs an id");
    expect(set.stderr).toContain("pluginId in coffer.yaml");
    const agent = await w.run(["set", "DB_PASSWORD", "--scope", "agent"], { input: "x" });
    expect(agent.code).toBe(2);
    expect(agent.stderr).toContain("--agent-id");
  });
});
