import { type AuditEntryInput, isCofferError } from "@coffer/core";
import { describe, expect, it } from "vitest";
import { GLOBAL, openLocal, TEST_KEY_HEX, tempHome } from "./support/temp-home.js";

async function store() {
  return openLocal({ home: await tempHome(), masterKey: TEST_KEY_HEX });
}

function audit(name: string, action: AuditEntryInput["action"] = "write"): AuditEntryInput {
  return { time: new Date().toISOString(), accessor: "alice", frontEnd: "library", action, name, success: true };
}

describe("local provider: writeBatch", () => {
  it("commits every write and every audit entry together", async () => {
    const p = await store();
    await p.set({ name: "A", scope: GLOBAL }, { value: "a-1" });
    const out = await p.writeBatch(
      [
        {
          address: { name: "A", scope: GLOBAL },
          write: { value: "shared-2" },
          options: { ifVersion: 1, audit: audit("A") },
        },
        { address: { name: "B", scope: GLOBAL }, write: { value: "shared-2" }, options: { audit: audit("B") } },
      ],
      { audit: [audit("A", "entangle")] },
    );
    expect(out.map((m) => [m.name, m.version])).toEqual([
      ["A", 2],
      ["B", 1],
    ]);
    expect((await p.get({ name: "B", scope: GLOBAL })).value).toBe("shared-2");
    const entries = await p.auditLog.query({ limit: 10 });
    expect(entries.map((e) => `${e.action}:${e.name}`).sort()).toEqual(["entangle:A", "write:A", "write:B"]);
    expect(entries.find((e) => e.action === "write" && e.name === "A")?.version).toBe(2);
    expect((await p.auditLog.verify()).ok).toBe(true);
  });

  it("writes nothing, and records nothing, when one write of the batch fails", async () => {
    const p = await store();
    await p.set({ name: "A", scope: GLOBAL }, { value: "a-1" });
    await p.set({ name: "B", scope: GLOBAL }, { value: "b-1" });
    let code = "resolved";
    try {
      await p.writeBatch(
        [
          { address: { name: "A", scope: GLOBAL }, write: { value: "new" }, options: { audit: audit("A") } },
          {
            address: { name: "B", scope: GLOBAL },
            write: { value: "new" },
            options: { ifVersion: 7, audit: audit("B") },
          },
        ],
        { audit: [audit("A", "entangle")] },
      );
    } catch (err) {
      code = isCofferError(err) ? err.code : "other";
    }
    expect(code).toBe("CONFLICT");
    expect((await p.get({ name: "A", scope: GLOBAL })).value).toBe("a-1");
    expect((await p.get({ name: "A", scope: GLOBAL })).version).toBe(1);
    expect((await p.get({ name: "B", scope: GLOBAL })).value).toBe("b-1");
    expect(await p.auditLog.query({ limit: 10 })).toEqual([]);
  });

  it("refuses an invalid write before touching the store", async () => {
    const p = await store();
    await expect(
      p.writeBatch([
        { address: { name: "A", scope: GLOBAL }, write: { value: "ok" } },
        { address: { name: "B", scope: GLOBAL }, write: { value: 42 as unknown as string } },
      ]),
    ).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(await p.lookup({ name: "A", scope: GLOBAL })).toBeUndefined();
  });
});
