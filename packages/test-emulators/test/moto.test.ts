import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MotoServer, motoUnavailableReason, startMoto } from "../src/index.js";

describe("startMoto: missing executable", () => {
  it("throws a clear error instead of hanging", async () => {
    await expect(startMoto({ command: "coffer-no-such-moto" })).rejects.toThrow(/coffer-no-such-moto is not on PATH/);
  });
});

describe.skipIf(motoUnavailableReason() !== undefined)("startMoto", () => {
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.stop();
  });

  it("serves the AWS JSON protocol on 127.0.0.1 and resets", async () => {
    expect(moto.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const call = (target: string, body: unknown) =>
      fetch(moto.endpoint, {
        method: "POST",
        headers: {
          "content-type": "application/x-amz-json-1.1",
          "x-amz-target": `secretsmanager.${target}`,
          authorization:
            "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=x",
        },
        body: JSON.stringify(body),
      });
    const created = await call("CreateSecret", { Name: "harness-check", SecretString: "v" });
    expect(created.status).toBe(200);
    const listed = (await (await call("ListSecrets", {})).json()) as { SecretList: { Name: string }[] };
    expect(listed.SecretList.map((s) => s.Name)).toContain("harness-check");
    await moto.reset();
    const after = (await (await call("ListSecrets", {})).json()) as { SecretList: unknown[] };
    expect(after.SecretList).toEqual([]);
    expect(moto.logs()).toContain("Running on http://127.0.0.1");
  });

  it("stop() frees the port", async () => {
    const other = await startMoto();
    await other.stop();
    await expect(fetch(`${other.endpoint}/moto-api/data.json`)).rejects.toThrow();
  });
});
