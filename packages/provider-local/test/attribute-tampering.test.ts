import type { CofferError } from "@coffer/core";
import { describe, expect, it } from "vitest";
import { openLocal, tempHome, withRawDb } from "./support/temp-home.js";

const KEY = Buffer.alloc(32, 9).toString("base64");
const address = { name: "GUARDED", scope: { kind: "global" as const } };

describe("attributes are bound to the ciphertext", () => {
  it("detects an attribute edited in the store file (dropping writeOnly) as INTEGRITY", async () => {
    const home = await tempHome();
    const store = openLocal({ home, masterKey: KEY });
    await store.set(address, { value: "guarded-value-123", writeOnly: true, allowedAgentIds: ["builder"] });
    expect((await store.get(address)).writeOnly).toBe(true);
    await store.dispose();
    withRawDb(store.storePath, (db) => {
      const changed = db
        .prepare("UPDATE secret_versions SET attributes = ? WHERE name = ?")
        .run(JSON.stringify({}), "GUARDED");
      expect(changed.changes).toBe(1);
    });
    const reopened = openLocal({ home, masterKey: KEY });
    const err = (await reopened.get(address).catch((e) => e)) as CofferError;
    expect(err.code).toBe("INTEGRITY");
    expect(err.message).not.toContain("guarded-value-123");
    const report = await reopened.verifyIntegrity();
    expect(report.ok).toBe(false);
    expect(report.problems.join("\n")).toContain("GUARDED");
  });
});

describe("the current-version pointer is checked against the stored versions", () => {
  it("refuses reads and writes of a secret rolled back by editing its current version, and the integrity check names it", async () => {
    const home = await tempHome();
    const store = openLocal({ home, masterKey: KEY });
    for (const value of ["old-value-111", "mid-value-222", "new-value-333"]) await store.set(address, { value });
    await store.dispose();
    withRawDb(store.storePath, (db) => {
      expect(db.prepare("UPDATE secret_states SET current_version = 1 WHERE name = ?").run("GUARDED").changes).toBe(1);
    });
    const reopened = openLocal({ home, masterKey: KEY });
    for (const attempt of [
      () => reopened.get(address),
      () => reopened.lookup(address),
      () => reopened.get(address, { version: 1 }),
      () => reopened.set(address, { value: "after-tamper-444" }),
    ]) {
      const err = (await attempt().catch((e) => e)) as CofferError;
      expect(err.code).toBe("INTEGRITY");
      expect(err.message).toContain("roll");
      expect(err.message).not.toContain("old-value-111");
    }
    const report = await reopened.verifyIntegrity();
    expect(report.ok).toBe(false);
    expect(report.problems.join("\n")).toContain("current version 1 is older than stored version 3");
  });
});

describe("an interrupted master-key rotation", () => {
  it("opens with the key file when a torn pending key file (killed mid-write) lies beside it", async () => {
    const { writeFileSync } = await import("node:fs");
    const home = await tempHome();
    const store = openLocal({ home });
    await store.set(address, { value: "kept-value-123" });
    await store.dispose();
    // a rotation killed while writing `<keyFile>.new`: a partial key, never committed
    writeFileSync(`${home}/master.key.new`, "dGhpcyBpcyB0b3Ju", { mode: 0o600 });
    const reopened = openLocal({ home });
    expect((await reopened.get(address)).value).toBe("kept-value-123");
    expect((await reopened.verifyIntegrity()).ok).toBe(true);
  });
});
