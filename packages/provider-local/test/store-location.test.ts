import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { local, resolveCofferHome } from "../src/index.js";
import { GLOBAL, openLocal, TEST_KEY_HEX, tempHome } from "./support/temp-home.js";

describe("local provider: where the store lives", () => {
  it("uses COFFER_HOME, else the platform's user data directory", () => {
    expect(resolveCofferHome({ COFFER_HOME: "/srv/coffer" }, "linux", "/home/me")).toBe("/srv/coffer");
    expect(resolveCofferHome({ XDG_DATA_HOME: "/data" }, "linux", "/home/me")).toBe("/data/coffer");
    expect(resolveCofferHome({ XDG_DATA_HOME: "relative" }, "linux", "/home/me")).toBe("/home/me/.local/share/coffer");
    expect(resolveCofferHome({}, "linux", "/home/me")).toBe("/home/me/.local/share/coffer");
    expect(resolveCofferHome({}, "darwin", "/Users/me")).toBe("/Users/me/Library/Application Support/coffer");
    expect(resolveCofferHome({ APPDATA: "/appdata" }, "win32", "/users/me")).toBe(join("/appdata", "coffer"));
  });

  it("puts store.db and master.key in the home, or where path and keyFile say", async () => {
    const home = await tempHome();
    expect(local({ home }).storePath).toBe(join(home, "store.db"));
    const custom = openLocal({ home, path: join(home, "sub", "vault.sqlite"), keyFile: join(home, "keys", "k") });
    expect(custom.storePath).toBe(join(home, "sub", "vault.sqlite"));
    await custom.set({ name: "A", scope: GLOBAL }, { value: "v" });
    const { existsSync } = await import("node:fs");
    expect(existsSync(join(home, "keys", "k"))).toBe(true);
    expect(existsSync(join(home, "master.key"))).toBe(false);
  });

  it("rejects invalid options with CONFIG", () => {
    expect(() => local({ historyLimit: 0 })).toThrow(expect.objectContaining({ code: "CONFIG" }));
    expect(() => local({ recoveryWindowDays: -1 })).toThrow(expect.objectContaining({ code: "CONFIG" }));
    expect(() => local({ name: " " })).toThrow(expect.objectContaining({ code: "CONFIG" }));
  });

  it("reports a file that is not a Coffer store as INTEGRITY", async () => {
    const home = await tempHome();
    writeFileSync(join(home, "store.db"), "this is not a database, just some text ".repeat(200), { mode: 0o600 });
    const p = openLocal({ home, masterKey: TEST_KEY_HEX });
    await expect(p.get({ name: "A", scope: GLOBAL })).rejects.toMatchObject({ code: "INTEGRITY" });
    expect(await p.health()).toMatchObject({ ok: false, message: expect.stringContaining("not a Coffer store") });
  });
});
