import { describe, expect, it } from "vitest";
import type { CofferError } from "@coffer/core";
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
      const changed = db.prepare("UPDATE secret_versions SET attributes = ? WHERE name = ?").run(JSON.stringify({}), "GUARDED");
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
