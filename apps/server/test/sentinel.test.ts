import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HttpResult, type ServerUnderTest, secretPath, sendOversize, startServer } from "./server-process.js";

// A sentinel value goes through every route and error path; it may appear only in the bodies of
// explicit reveals (and value exports), never in other responses or in the server's logs.

const SENTINEL = "sntl_9f8e7d6c5b4a_DO_NOT_LEAK";
let server: ServerUnderTest;
let admin: string;
const responses: Array<{ what: string; res: HttpResult; reveals: boolean }> = [];

async function send(
  what: string,
  method: string,
  path: string,
  options: Parameters<ServerUnderTest["request"]>[2] = {},
  reveals = false,
) {
  const res = await server.request(method, path, { token: admin, ...options });
  responses.push({ what, res, reveals });
  return res;
}

beforeAll(async () => {
  server = await startServer({ args: ["--log-level", "trace"] });
  admin = await server.token({ name: "sentinel-admin", scopes: ["admin"] });
});
afterAll(async () => server?.stop());

describe("a secret value never leaks", () => {
  it("stays out of every non-reveal response and all logs", async () => {
    expect(
      (await send("create", "PUT", secretPath("leak-check"), { json: { value: SENTINEL, tags: ["t"] } })).status,
    ).toBe(201);
    expect(
      (
        await send("create write-only", "PUT", secretPath("leak-wo"), {
          json: { value: `${SENTINEL}-wo`, writeOnly: true },
        })
      ).status,
    ).toBe(201);
    await send("masked read", "GET", secretPath("leak-check"));
    await send("reveal without purpose", "GET", `${secretPath("leak-check")}?reveal=true`);
    await send("reveal write-only", "GET", `${secretPath("leak-wo")}?reveal=true&purpose=try`);
    expect(
      (await send("reveal", "GET", `${secretPath("leak-check")}?reveal=true&purpose=leak%20test`, {}, true)).body.value,
    ).toBe(SENTINEL);
    await send("value wrongly sent in a query string", "GET", `${secretPath("leak-check")}?value=${SENTINEL}`);
    await send("list", "GET", "/v1/secrets");
    await send("versions", "GET", secretPath("leak-check", "/versions"));
    await send("export metadata", "GET", "/v1/export");
    await send("audit", "GET", "/v1/audit?limit=1000");
    await send("if-match conflict", "PUT", secretPath("leak-check"), {
      json: { value: `${SENTINEL}-2` },
      headers: { "if-match": "9" },
    });
    await send("create-only conflict", "PUT", secretPath("leak-check"), {
      json: { value: `${SENTINEL}-3` },
      headers: { "if-none-match": "*" },
    });
    await send("malformed json", "PUT", secretPath("leak-check"), {
      body: `{"value": "${SENTINEL}`,
      headers: { "content-type": "application/json" },
    });
    await send("unknown field", "PUT", secretPath("leak-check"), {
      json: { value: SENTINEL, [SENTINEL.slice(0, 4)]: SENTINEL },
    });
    await send("wrong type elsewhere", "PUT", secretPath("leak-check"), { json: { value: SENTINEL, tags: SENTINEL } });
    await send("bad name", "PUT", secretPath("bad name"), { json: { value: SENTINEL } });
    await send("value too large", "PUT", secretPath("leak-check"), { json: { value: SENTINEL.repeat(3000) } });
    await send("wrong content type", "PUT", secretPath("leak-check"), {
      body: `value=${SENTINEL}`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    await send("rotate with value", "POST", secretPath("leak-check", "/rotate"), { json: { value: `${SENTINEL}-r` } });
    await send("rotate bad field", "POST", secretPath("leak-check", "/rotate"), {
      json: { value: SENTINEL, nope: true },
    });
    await send("rollback", "POST", secretPath("leak-check", "/rollback"), { json: { to: 1 } });
    await send("import", "POST", "/v1/import", {
      body: `LEAK_IMPORT=${SENTINEL}-i\n`,
      headers: { "content-type": "text/plain" },
    });
    await send("import dry run", "POST", "/v1/import?dryRun=true", {
      body: `LEAK_IMPORT=${SENTINEL}-j\n`,
      headers: { "content-type": "text/plain" },
    });
    await send("import broken json", "POST", "/v1/import", {
      body: `{"LEAK": "${SENTINEL}`,
      headers: { "content-type": "application/json" },
    });
    const oversize = await sendOversize(
      server.url,
      "PUT",
      secretPath("leak-check"),
      { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      Buffer.from(JSON.stringify({ value: SENTINEL.repeat(20_000) })),
    );
    responses.push({ what: "oversize body", res: oversize, reveals: false });
    await send("delete", "DELETE", secretPath("leak-check"));
    await send("restore", "POST", secretPath("leak-check", "/restore"));
    expect(
      (await send("export values", "GET", "/v1/export?includeValues=true&pattern=leak-check", {}, true)).status,
    ).toBe(200);

    for (const { what, res, reveals } of responses) {
      expect(res.status, what).toBeLessThan(500);
      if (!reveals) expect(res.text, `${what} leaked the value`).not.toContain(SENTINEL);
      expect(res.text, `${what} echoed the token`).not.toContain(admin);
    }
    // Give the logger a moment to flush, then check everything the process wrote.
    await new Promise((r) => setTimeout(r, 200));
    const logs = server.logs();
    expect(logs).toContain("incoming request");
    expect(logs).not.toContain(SENTINEL);
    expect(logs).not.toContain(SENTINEL.slice(0, 12));
    expect(logs).not.toContain(admin);
    expect(logs).not.toContain(admin.slice(4, 30));
  });
});
