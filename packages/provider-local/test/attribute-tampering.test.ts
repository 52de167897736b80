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
