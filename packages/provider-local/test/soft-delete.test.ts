import { describe, expect, it } from "vitest";
import { GLOBAL, manualClock, openLocal, TEST_KEY_HEX, tempHome } from "./support/temp-home.js";

const DAY = 86_400_000;

async function storeWithClock() {
  const time = manualClock();
  const p = openLocal({ home: await tempHome(), masterKey: TEST_KEY_HEX, clock: time.clock });
  return { p, time };
}

describe("local provider: soft delete, restore and purge", () => {
  it("soft-deletes every env state, hides it, and restores all versions", async () => {
    const { p } = await storeWithClock();
    const ref = { name: "DB_PASSWORD", scope: GLOBAL };
    await p.set(ref, { value: "one" });
    await p.set(ref, { value: "two" });
    await p.set({ ...ref, env: "prod" }, { value: "prod-one" });

    const outcome = await p.delete(ref);
    expect(outcome).toEqual({ versionsDeleted: 3, purged: false, purgeAt: "2030-01-08T00:00:00.000Z" });
    await expect(p.get(ref)).rejects.toMatchObject({ code: "NOT_FOUND", message: expect.stringContaining("deleted") });
    await expect(p.get({ ...ref, env: "prod" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(p.history(ref)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await p.list()).items).toEqual([]);
    const withDeleted = await p.list({ includeDeleted: true });
    expect(withDeleted.items).toHaveLength(2);
    expect(withDeleted.items[0]).toMatchObject({
      name: "DB_PASSWORD",
      deletedAt: "2030-01-01T00:00:00.000Z",
      purgeAt: "2030-01-08T00:00:00.000Z",
    });
    await expect(p.delete(ref)).rejects.toMatchObject({ code: "NOT_FOUND" });

    expect(await p.restore(ref)).toEqual({ versionsRestored: 3 });
    expect(await p.get(ref)).toMatchObject({ value: "two", version: 2 });
    expect((await p.get(ref, { version: 1 })).value).toBe("one");
    expect((await p.get({ ...ref, env: "prod" })).value).toBe("prod-one");
    await expect(p.restore(ref)).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("honours a per-call recovery window and purges lazily once it ends", async () => {
    const { p, time } = await storeWithClock();
    const ref = { name: "SHORT_LIVED", scope: GLOBAL };
    await p.set(ref, { value: "v1" });
    await p.set(ref, { value: "v2" });
    const outcome = await p.delete(ref, { recoveryWindowDays: 1 });
    expect(outcome.purgeAt).toBe("2030-01-02T00:00:00.000Z");
    time.advance(DAY + 1);
    expect((await p.list({ includeDeleted: true })).items).toEqual([]);
    await expect(p.restore(ref)).rejects.toMatchObject({ code: "NOT_FOUND" });
    const fresh = await p.set(ref, { value: "new life" });
    expect(fresh.version).toBe(1);
    expect((await p.history(ref)).map((h) => h.version)).toEqual([1]);
  });

  it("purges deleted or live secrets irrecoverably", async () => {
    const { p } = await storeWithClock();
    const a = { name: "A", scope: GLOBAL };
    const b = { name: "B", scope: { kind: "agent" as const, id: "bot" } };
    await p.set(a, { value: "a1" });
    await p.set(a, { value: "a2" });
    await p.set(b, { value: "b1" });
    await p.delete(a);
    expect(await p.purge(a)).toEqual({ versionsDeleted: 2 });
    await expect(p.restore(a)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(p.purge(a)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await p.delete(b, { purge: true })).toEqual({ versionsDeleted: 1, purged: true });
    await expect(p.get(b)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await p.list({ includeDeleted: true })).items).toEqual([]);
    await expect(p.delete({ name: "NEVER", scope: GLOBAL })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
