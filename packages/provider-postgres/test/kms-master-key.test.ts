import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { type MotoServer, motoUnavailableReason, startMoto } from "@coffer/test-emulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgres } from "../src/index.js";
import { freshProvider, PG_SKIP_REASON, type PostgresServer, startPostgres } from "./pg-test-setup.js";

const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
const MOTO_SKIP = motoUnavailableReason();

describe.skipIf(PG_SKIP_REASON !== undefined || MOTO_SKIP !== undefined)(
  "postgres with an AWS KMS master key (moto)",
  () => {
    let pg: PostgresServer;
    let moto: MotoServer;
    let keyId: string;
    let otherKeyId: string;
    beforeAll(async () => {
      [pg, moto] = await Promise.all([startPostgres(), startMoto()]);
      const kms = new KMSClient({ region: "us-east-1", endpoint: moto.endpoint, credentials });
      keyId = (await kms.send(new CreateKeyCommand({ Description: "coffer test" }))).KeyMetadata?.KeyId as string;
      otherKeyId = (await kms.send(new CreateKeyCommand({ Description: "other" }))).KeyMetadata?.KeyId as string;
      kms.destroy();
    }, 120_000);
    afterAll(async () => {
      await Promise.all([pg?.stop(), moto?.stop()]);
    });

    const kmsKey = (id: string) => ({
      kms: "aws" as const,
      keyId: id,
      region: "us-east-1",
      endpoint: moto.endpoint,
      credentials,
    });

    it("wraps every data key with KMS; another replica with the same key reads; another key or a local key is refused", async () => {
      const { provider, connectionString, database } = await freshProvider(pg, { masterKey: kmsKey(keyId) });
      try {
        await provider.set({ name: "API", scope: { kind: "team", id: "a" } }, { value: "kms-protected-value" });
        const replica = postgres({ connectionString, masterKey: kmsKey(keyId), env: {} });
        expect((await replica.get({ name: "API", scope: { kind: "team", id: "a" } })).value).toBe(
          "kms-protected-value",
        );
        await replica.dispose();

        const wrongKey = postgres({ connectionString, masterKey: kmsKey(otherKeyId), env: {} });
        // AWS answers IncorrectKeyException (INTEGRITY); moto answers AccessDeniedException, which
        // real AWS uses for IAM denials (PERMISSION_DENIED). Either way nothing is read.
        const refused = await wrongKey.get({ name: "API", scope: { kind: "team", id: "a" } }).catch((e) => e);
        expect(refused.code).toBe("PERMISSION_DENIED");
        expect(refused.message).toMatch(/denied decrypt/);
        await wrongKey.dispose();

        const local = postgres({ connectionString, masterKey: "f".repeat(64), env: {} });
        await expect(local.list()).rejects.toMatchObject({ code: "CONFIG" });
        await local.dispose();

        expect(pg.dump(database)).not.toContain("kms-protected-value");
      } finally {
        await provider.dispose();
      }
    });

    it("KMS unreachable: UNAVAILABLE, not INTEGRITY", async () => {
      const { provider } = await freshProvider(pg, {
        masterKey: { kms: "aws", keyId, region: "us-east-1", endpoint: "http://127.0.0.1:9", credentials },
      });
      await expect(provider.list()).rejects.toMatchObject({ code: "UNAVAILABLE" });
      await provider.dispose();
    });
  },
);
