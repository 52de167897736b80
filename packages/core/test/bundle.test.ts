import { describe, expect, it } from "vitest";
import { type BundlePayload, decryptBundle, encryptBundle, isEncryptedBundle } from "../src/bundle/index.js";

const SECRET = "sk_live_bundle_sentinel_9f8e7d6c";
const payload: BundlePayload = {
  exportedAt: "2025-12-12T16:30:00.000Z",
  secrets: [
    {
      name: "api-key-stripe",
      scope: "global",
      version: 3,
      provider: "local",
      createdAt: "2025-12-01T10:30:00.000Z",
      updatedAt: "2025-12-10T15:45:00.000Z",
      encoding: "utf-8",
      tags: ["production", "stripe"],
      description: "Stripe live key",
      value: SECRET,
    },
    {
      name: "DB_PASSWORD",
      scope: "project",
      env: "prod",
      version: 1,
      provider: "local",
      createdAt: "x",
      updatedAt: "x",
      encoding: "utf-8",
      value: "pässwörd",
    },
  ],
};

describe("encrypted bundles", () => {
  it("round-trips values and metadata under the passphrase", async () => {
    const text = await encryptBundle(payload, "correct horse battery", { scryptLogN: 14 });
    expect(isEncryptedBundle(text)).toBe(true);
    expect(await decryptBundle(text, "correct horse battery")).toEqual(payload);
  });

  it("holds no value, name or tag in clear text", async () => {
    const text = await encryptBundle(payload, "correct horse battery", { scryptLogN: 14 });
    for (const clear of [SECRET, "api-key-stripe", "production", "Stripe live key", "DB_PASSWORD"])
      expect(text).not.toContain(clear);
    const envelope = JSON.parse(text);
    expect(envelope).toMatchObject({
      format: "coffer-bundle",
      version: 1,
      kdf: { name: "scrypt", N: 16384, r: 8, p: 1 },
      cipher: { name: "aes-256-gcm" },
    });
  });

  it("uses scrypt N = 2^17 by default", async () => {
    const text = await encryptBundle({ exportedAt: "", secrets: [] }, "correct horse battery");
    expect(JSON.parse(text).kdf.N).toBe(131072);
  });

  it("fails with INTEGRITY for a wrong passphrase, without echoing anything", async () => {
    const text = await encryptBundle(payload, "correct horse battery", { scryptLogN: 14 });
    const err = await decryptBundle(text, "wrong horse battery").catch((e) => e);
    expect(err.code).toBe("INTEGRITY");
    expect(err.message).toMatch(/wrong passphrase/);
    expect(err.message).not.toContain("horse");
  });

  it("detects a modified ciphertext or modified parameters", async () => {
    const text = await encryptBundle(payload, "correct horse battery", { scryptLogN: 14 });
    const doc = JSON.parse(text);
    const bytes = Buffer.from(doc.ciphertext, "base64");
    bytes[5] = bytes[5]! ^ 1;
    await expect(
      decryptBundle(JSON.stringify({ ...doc, ciphertext: bytes.toString("base64") }), "correct horse battery"),
    ).rejects.toMatchObject({ code: "INTEGRITY" });
    const otherSalt = Buffer.alloc(16, 7).toString("base64");
    await expect(
      decryptBundle(JSON.stringify({ ...doc, kdf: { ...doc.kdf, salt: otherSalt } }), "correct horse battery"),
    ).rejects.toMatchObject({ code: "INTEGRITY" });
  });

  it("rejects malformed files and excessive scrypt costs before deriving keys", async () => {
    await expect(decryptBundle("not json", "x")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(decryptBundle('{"format":"other"}', "x")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    const text = await encryptBundle(payload, "correct horse battery", { scryptLogN: 14 });
    const doc = JSON.parse(text);
    await expect(
      decryptBundle(JSON.stringify({ ...doc, kdf: { ...doc.kdf, N: 2 ** 30 } }), "correct horse battery"),
    ).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(decryptBundle(JSON.stringify({ ...doc, version: 2 }), "correct horse battery")).rejects.toMatchObject({
      code: "UNSUPPORTED",
    });
    expect(isEncryptedBundle("API_KEY=1\n")).toBe(false);
    expect(isEncryptedBundle('{"api-key": "x"}')).toBe(false);
  });

  it("refuses a short passphrase", async () => {
    await expect(encryptBundle(payload, "short")).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
      details: { field: "passphrase" },
    });
  });
});
