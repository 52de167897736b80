import { createHash, randomBytes } from "node:crypto";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GLOBAL, openLocal, TEST_KEY_HEX, tempHome, withRawDb } from "./support/temp-home.js";

const onWindows = process.platform === "win32";
const mode = (path: string) => statSync(path).mode & 0o777;
const fileHash = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

function dump(path: string) {
  return withRawDb(path, (db) => ({
    versions: db.prepare("SELECT * FROM secret_versions ORDER BY scope, name, env, version").all(),
    meta: db.prepare("SELECT * FROM meta ORDER BY key").all(),
    audit: db.prepare("SELECT * FROM audit_log ORDER BY seq").all(),
  }));
}

describe("local provider: encryption", () => {
  it("stores no plaintext: values are AES-GCM ciphertext", async () => {
    const home = await tempHome();
    const p = openLocal({ home, masterKey: TEST_KEY_HEX });
    await p.set(
      { name: "API_KEY", scope: GLOBAL },
      { value: "sk_live_VERY_SECRET_VALUE", description: "shown in clear" },
    );
    await p.dispose();
    const bytes = readFileSync(p.storePath);
    expect(bytes.includes("sk_live_VERY_SECRET_VALUE")).toBe(false);
    expect(bytes.includes("shown in clear")).toBe(true);
    const row = withRawDb(p.storePath, (db) => db.prepare("SELECT ciphertext FROM secret_versions").get()) as {
      ciphertext: Buffer;
    };
    expect(row.ciphertext.length).toBe(12 + Buffer.byteLength("sk_live_VERY_SECRET_VALUE") + 16);
  });

  it("detects a ciphertext moved to another row (associated data)", async () => {
    const home = await tempHome();
    const p = openLocal({ home, masterKey: TEST_KEY_HEX });
    await p.set({ name: "A", scope: GLOBAL }, { value: "value-of-a" });
    await p.set({ name: "B", scope: GLOBAL }, { value: "value-of-b" });
    await p.set({ name: "C", scope: GLOBAL }, { value: "c-one" });
    await p.set({ name: "C", scope: GLOBAL }, { value: "c-two" });
    withRawDb(p.storePath, (db) => {
      db.prepare(
        "UPDATE secret_versions SET ciphertext = (SELECT ciphertext FROM secret_versions WHERE name = 'A') WHERE name = 'B'",
      ).run();
      db.prepare(
        "UPDATE secret_versions SET ciphertext = (SELECT ciphertext FROM secret_versions WHERE name = 'C' AND version = 1) WHERE name = 'C' AND version = 2",
      ).run();
    });
    const err = await p.get({ name: "B", scope: GLOBAL }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "INTEGRITY" });
    expect(String((err as Error).message)).not.toContain("value-of-a");
    await expect(p.get({ name: "C", scope: GLOBAL })).rejects.toMatchObject({ code: "INTEGRITY" });
    expect((await p.get({ name: "A", scope: GLOBAL })).value).toBe("value-of-a");
    const report = await p.verifyIntegrity();
    expect(report.ok).toBe(false);
    expect(report.problems).toHaveLength(2);
    expect(report.problems.join("\n")).toContain('"B"');
    expect(report.problems.join("\n")).not.toContain("value-of");
  });

  it("detects a flipped ciphertext byte and never returns garbage", async () => {
    const home = await tempHome();
    const p = openLocal({ home, masterKey: TEST_KEY_HEX });
    await p.set({ name: "A", scope: GLOBAL }, { value: "tamper-me" });
    expect((await p.verifyIntegrity()).ok).toBe(true);
    withRawDb(p.storePath, (db) => {
      const { ciphertext } = db.prepare("SELECT ciphertext FROM secret_versions").get() as { ciphertext: Buffer };
      ciphertext[14] = (ciphertext[14] ?? 0) ^ 0x01;
      db.prepare("UPDATE secret_versions SET ciphertext = ?").run(ciphertext);
    });
    await expect(p.get({ name: "A", scope: GLOBAL })).rejects.toMatchObject({
      code: "INTEGRITY",
      message: expect.stringContaining("failed to authenticate"),
    });
    const report = await p.verifyIntegrity();
    expect(report).toMatchObject({ ok: false, checked: 1 });
  });
});

describe("local provider: master keys", () => {
  it("detects a wrong master key at open and changes nothing", async () => {
    const home = await tempHome();
    const first = openLocal({ home, masterKey: TEST_KEY_HEX });
    await first.set({ name: "A", scope: GLOBAL }, { value: "kept" });
    await first.dispose();
    const before = { hash: fileHash(first.storePath), rows: dump(first.storePath) };

    const wrong = openLocal({ home, masterKey: randomBytes(32).toString("hex") });
    const err = await wrong.set({ name: "A", scope: GLOBAL }, { value: "overwrite" }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "INTEGRITY" });
    expect((err as Error).message).toBe(
      `the store ${first.storePath} cannot be opened with the master key in force (from the masterKey option): the key does not match this store`,
    );
    await expect(wrong.get({ name: "A", scope: GLOBAL })).rejects.toMatchObject({ code: "INTEGRITY" });
    await expect(wrong.list()).rejects.toMatchObject({ code: "INTEGRITY" });
    expect(() => wrong.auditLog.fingerprint("x")).toThrow(/does not match/);
    await wrong.dispose();

    expect(fileHash(first.storePath)).toBe(before.hash);
    expect(dump(first.storePath)).toEqual(before.rows);
    const again = openLocal({ home, masterKey: TEST_KEY_HEX });
    expect((await again.get({ name: "A", scope: GLOBAL })).value).toBe("kept");
  });

  it("never falls back to the key file when a given key is wrong", async () => {
    const home = await tempHome();
    const byFile = openLocal({ home });
    await byFile.set({ name: "A", scope: GLOBAL }, { value: "v" });
    await byFile.dispose();
    const wrong = openLocal({ home, masterKey: "some other passphrase" });
    await expect(wrong.get({ name: "A", scope: GLOBAL })).rejects.toMatchObject({
      code: "INTEGRITY",
      details: { hint: expect.stringContaining("32 random bytes") },
    });
    const empty = openLocal({ home, masterKey: "" });
    await expect(empty.get({ name: "A", scope: GLOBAL })).rejects.toMatchObject({ code: "CONFIG" });
  });

  it("accepts passphrases (scrypt) and tells them apart", async () => {
    const home = await tempHome();
    const p = openLocal({ home, masterKey: "correct horse battery staple" });
    await p.set({ name: "A", scope: GLOBAL }, { value: "by passphrase" });
    await p.dispose();
    const meta = withRawDb(p.storePath, (db) => db.prepare("SELECT key, value FROM meta").all()) as Array<{
      key: string;
      value: string;
    }>;
    expect(meta.find((m) => m.key === "key_kind")?.value).toBe("passphrase");
    expect(JSON.parse(meta.find((m) => m.key === "kdf_params")?.value ?? "{}")).toMatchObject({ N: 32768 });
    expect(readFileSync(p.storePath).includes("correct horse")).toBe(false);

    const same = openLocal({ home, masterKey: "correct horse battery staple" });
    expect((await same.get({ name: "A", scope: GLOBAL })).value).toBe("by passphrase");
    const other = openLocal({ home, masterKey: "correct horse battery stapler" });
    await expect(other.get({ name: "A", scope: GLOBAL })).rejects.toMatchObject({ code: "INTEGRITY" });
  });

  it("reads a 32-byte key given as hex or base64 as the same key", async () => {
    const home = await tempHome();
    const key = randomBytes(32);
    const hex = openLocal({ home, masterKey: key.toString("hex") });
    await hex.set({ name: "A", scope: GLOBAL }, { value: "v" });
    await hex.dispose();
    const b64 = openLocal({ home, masterKey: key.toString("base64") });
    expect((await b64.get({ name: "A", scope: GLOBAL })).value).toBe("v");
    const upper = openLocal({ home, masterKey: key.toString("hex").toUpperCase() });
    expect((await upper.get({ name: "A", scope: GLOBAL })).value).toBe("v");
  });

  it("reads COFFER_MASTER_KEY when no masterKey option is given", async () => {
    const home = await tempHome();
    const saved = process.env.COFFER_MASTER_KEY;
    process.env.COFFER_MASTER_KEY = TEST_KEY_HEX;
    try {
      const byEnv = openLocal({ home });
      await byEnv.set({ name: "A", scope: GLOBAL }, { value: "v" });
      await byEnv.dispose();
    } finally {
      if (saved === undefined) delete process.env.COFFER_MASTER_KEY;
      else process.env.COFFER_MASTER_KEY = saved;
    }
    const byOption = openLocal({ home, masterKey: TEST_KEY_HEX });
    expect((await byOption.get({ name: "A", scope: GLOBAL })).value).toBe("v");
  });

  it.skipIf(onWindows)(
    "creates the directory 0700 and the key, store and WAL files 0600, even under umask 0",
    async () => {
      const root = await tempHome();
      const home = join(root, "nested", "coffer");
      const previous = process.umask(0);
      try {
        const p = openLocal({ home });
        await p.set({ name: "A", scope: GLOBAL }, { value: "v" });
        expect(mode(home)).toBe(0o700);
        expect(mode(join(root, "nested"))).toBe(0o700);
        expect(mode(join(home, "master.key"))).toBe(0o600);
        expect(mode(p.storePath)).toBe(0o600);
        expect(mode(`${p.storePath}-wal`)).toBe(0o600);
        expect(mode(`${p.storePath}-shm`)).toBe(0o600);
        expect(readFileSync(join(home, "master.key"), "utf8").trim()).toMatch(/^[A-Za-z0-9+/]{43}=$/);
      } finally {
        process.umask(previous);
      }
    },
  );

  it.skipIf(onWindows)(
    "refuses a key file other users can read, and a missing key file for an existing store",
    async () => {
      const home = await tempHome();
      const p = openLocal({ home });
      await p.set({ name: "A", scope: GLOBAL }, { value: "v" });
      await p.dispose();
      const keyFile = join(home, "master.key");
      const key = readFileSync(keyFile);
      writeFileSync(keyFile, key, { mode: 0o644 });
      const { chmodSync, rmSync } = await import("node:fs");
      chmodSync(keyFile, 0o644);
      await expect(openLocal({ home }).get({ name: "A", scope: GLOBAL })).rejects.toMatchObject({
        code: "CONFIG",
        message: expect.stringContaining("chmod 600"),
      });
      rmSync(keyFile);
      await expect(openLocal({ home }).get({ name: "A", scope: GLOBAL })).rejects.toMatchObject({
        code: "CONFIG",
        message: expect.stringContaining("key file"),
      });
      // The missing key file was not silently replaced by a new one.
      expect(() => statSync(keyFile)).toThrow();
    },
  );

  it("rotates the key file's master key: values untouched, old key rejected", async () => {
    const home = await tempHome();
    const keyFile = join(home, "master.key");
    const p = openLocal({ home });
    await p.set({ name: "A", scope: GLOBAL }, { value: "survives rotation" });
    const oldKey = readFileSync(keyFile, "utf8").trim();
    const before = dump(p.storePath).versions;
    const newKey = randomBytes(32).toString("hex");
    await p.rotateMasterKey(newKey);
    expect((await p.get({ name: "A", scope: GLOBAL })).value).toBe("survives rotation");
    await p.set({ name: "B", scope: GLOBAL }, { value: "after" });
    await p.dispose();

    expect(Buffer.from(readFileSync(keyFile, "utf8").trim(), "base64").toString("hex")).toBe(newKey);
    expect(mode(keyFile) & 0o077).toBe(0);
    expect(dump(p.storePath).versions[0]).toEqual(before[0]);
    const reopened = openLocal({ home });
    expect((await reopened.get({ name: "A", scope: GLOBAL })).value).toBe("survives rotation");
    const withNew = openLocal({ home, masterKey: newKey });
    expect((await withNew.get({ name: "B", scope: GLOBAL })).value).toBe("after");
    const withOld = openLocal({ home, masterKey: oldKey });
    await expect(withOld.get({ name: "A", scope: GLOBAL })).rejects.toMatchObject({ code: "INTEGRITY" });
    await expect(reopened.rotateMasterKey("a passphrase")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  it("rotates a passphrase to another passphrase", async () => {
    const home = await tempHome();
    const p = openLocal({ home, masterKey: "first passphrase" });
    await p.set({ name: "A", scope: GLOBAL }, { value: "v" });
    await p.rotateMasterKey("second passphrase", {
      audit: {
        time: new Date().toISOString(),
        accessor: "alice",
        frontEnd: "cli",
        action: "key-rotate",
        success: true,
      },
    });
    await p.dispose();
    await expect(
      openLocal({ home, masterKey: "first passphrase" }).get({ name: "A", scope: GLOBAL }),
    ).rejects.toMatchObject({
      code: "INTEGRITY",
    });
    const second = openLocal({ home, masterKey: "second passphrase" });
    expect((await second.get({ name: "A", scope: GLOBAL })).value).toBe("v");
    expect((await second.auditLog.query({ action: "key-rotate" })).map((e) => e.accessor)).toEqual(["alice"]);
  });

  it("finishes a rotation that stopped before replacing the key file", async () => {
    const home = await tempHome();
    const keyFile = join(home, "master.key");
    const p = openLocal({ home });
    await p.set({ name: "A", scope: GLOBAL }, { value: "v" });
    const newKey = randomBytes(32);
    await p.rotateMasterKey(newKey.toString("base64"));
    await p.dispose();
    // Simulate a crash between the commit and the rename: old key back in place, new one pending.
    const { renameSync } = await import("node:fs");
    renameSync(keyFile, `${keyFile}.new`);
    writeFileSync(keyFile, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600 });
    const recovered = openLocal({ home });
    expect((await recovered.get({ name: "A", scope: GLOBAL })).value).toBe("v");
    expect(readFileSync(keyFile, "utf8").trim()).toBe(newKey.toString("base64"));
  });
});
