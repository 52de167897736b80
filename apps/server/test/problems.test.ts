import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HttpResult, type ServerUnderTest, secretPath, sendOversize, startServer } from "./server-process.js";

let server: ServerUnderTest;
let admin: string;

beforeAll(async () => {
  server = await startServer();
  admin = await server.token({ name: "admin", scopes: ["admin"] });
  expect(
    (await server.request("PUT", secretPath("existing"), { token: admin, json: { value: "existing-value-1" } })).status,
  ).toBe(201);
});
afterAll(async () => server?.stop());

/** Assert the RFC 9457 shape and return the body. */
function expectProblem(res: HttpResult, status: number, code: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  expect(res.body).toEqual(
    expect.objectContaining({
      type: `urn:coffer:error:${code.toLowerCase().replaceAll("_", "-")}`,
      title: expect.any(String),
      status,
      detail: expect.any(String),
      code,
    }),
  );
  expect(Object.keys(res.body).every((k) => ["type", "title", "status", "detail", "code", "details"].includes(k))).toBe(
    true,
  );
  expect(res.text).not.toMatch(/at .*\.(js|ts):\d+/);
  return res.body;
}

async function existingUnchanged() {
  const res = await server.request("GET", `${secretPath("existing")}?reveal=true&purpose=check`, { token: admin });
  expect(res.body).toMatchObject({ version: 1, value: "existing-value-1" });
}

describe("problem+json errors", () => {
  it("maps malformed JSON to 400 without echoing the body", async () => {
    const res = await server.request("PUT", secretPath("existing"), {
      token: admin,
      body: '{"value": "leaky-sentinel-in-broken-json',
      headers: { "content-type": "application/json" },
    });
    expectProblem(res, 400, "INVALID_ARGUMENT");
    expect(res.text).not.toContain("leaky-sentinel");
    await existingUnchanged();
  });

  it("maps wrong types and unknown fields to 400 naming the field", async () => {
    const wrongType = expectProblem(
      await server.request("PUT", secretPath("existing"), { token: admin, json: { value: 12345 } }),
      400,
      "INVALID_ARGUMENT",
    );
    expect(wrongType.details.field).toBe("value");
    const unknown = expectProblem(
      await server.request("PUT", secretPath("existing"), {
        token: admin,
        json: { value: "new-value-x", colour: "red" },
      }),
      400,
      "INVALID_ARGUMENT",
    );
    expect(unknown.detail).toContain("colour");
    const missing = expectProblem(
      await server.request("PUT", secretPath("existing"), { token: admin, json: { tags: [] } }),
      400,
      "INVALID_ARGUMENT",
    );
    expect(missing.details.field).toBe("value");
    expectProblem(
      await server.request("PUT", secretPath("existing"), { token: admin, json: ["value"] }),
      400,
      "INVALID_ARGUMENT",
    );
    expectProblem(
      await server.request("PUT", secretPath("existing"), { token: admin, json: { value: true } }),
      400,
      "INVALID_ARGUMENT",
    );
    expectProblem(
      await server.request("POST", secretPath("existing", "/rollback"), { token: admin, json: { to: "1" } }),
      400,
      "INVALID_ARGUMENT",
    );
    expectProblem(await server.request("GET", "/v1/secrets?limit=ten", { token: admin }), 400, "INVALID_ARGUMENT");
    expectProblem(await server.request("GET", "/v1/secrets?limit=0", { token: admin }), 400, "INVALID_ARGUMENT");
    expectProblem(await server.request("GET", "/v1/secrets?bogus=1", { token: admin }), 400, "INVALID_ARGUMENT");
    await existingUnchanged();
  });

  it("maps a wrong content type to 415 and an empty JSON body to 400", async () => {
    expectProblem(
      await server.request("PUT", secretPath("existing"), {
        token: admin,
        body: "value=x",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      }),
      415,
      "UNSUPPORTED",
    );
    expectProblem(
      await server.request("PUT", secretPath("existing"), {
        token: admin,
        body: "",
        headers: { "content-type": "application/json" },
      }),
      400,
      "INVALID_ARGUMENT",
    );
    await existingUnchanged();
  });

  it("maps oversize bodies and values to 413", async () => {
    const jsonHeaders = { authorization: `Bearer ${admin}`, "content-type": "application/json" };
    const huge = await sendOversize(
      server.url,
      "PUT",
      secretPath("existing"),
      jsonHeaders,
      Buffer.from(JSON.stringify({ value: "x".repeat(400 * 1024) })),
    );
    expectProblem(huge, 413, "TOO_LARGE");
    const bigValue = await server.request("PUT", secretPath("existing"), {
      token: admin,
      json: { value: "y".repeat(64 * 1024 + 1) },
    });
    expectProblem(bigValue, 413, "TOO_LARGE");
    expect(bigValue.text).not.toContain("yyyyyyyy");
    const importTooBig = await sendOversize(
      server.url,
      "POST",
      "/v1/import",
      { authorization: `Bearer ${admin}`, "content-type": "text/plain" },
      Buffer.from(`A=${"z".repeat(5 * 1024 * 1024)}\n`),
    );
    expectProblem(importTooBig, 413, "TOO_LARGE");
    await existingUnchanged();
  });

  it("maps bad secret names to 400", async () => {
    for (const name of ["has space", "COFFER_RESERVED", "../etc", "a//b", "-leading-dash"]) {
      const res = await server.request("PUT", secretPath(name), { token: admin, json: { value: "bad-name-value" } });
      expectProblem(res, 400, "INVALID_ARGUMENT");
    }
    expectProblem(await server.request("GET", "/v1/secrets/%E0%A4%A", { token: admin }), 400, "INVALID_ARGUMENT");
  });

  it("answers 404 problems for unknown routes, 405 with Allow for a served path's other methods", async () => {
    expectProblem(await server.request("GET", "/v2/secrets", { token: admin }), 404, "NOT_FOUND");
    expectProblem(await server.request("GET", "/"), 404, "NOT_FOUND");
    const patch = await server.request("PATCH", secretPath("existing"), { token: admin, json: {} });
    expectProblem(patch, 405, "UNSUPPORTED");
    expect(patch.headers.get("allow")).toBe("DELETE, GET, PUT");
    const post = await server.request("POST", "/v1/providers", { token: admin, json: {} });
    expectProblem(post, 405, "UNSUPPORTED");
    expect(post.headers.get("allow")).toBe("GET");
    const put = await server.request("PUT", "/healthz", { json: {} });
    expectProblem(put, 405, "UNSUPPORTED");
    expect(put.headers.get("allow")).toBe("GET");
    await existingUnchanged();
  });

  it("answers 409 on restoring a live secret or rolling back to a missing version as the service decides", async () => {
    const rollback = await server.request("POST", secretPath("existing", "/rollback"), {
      token: admin,
      json: { to: 99 },
    });
    expect([404, 400, 409]).toContain(rollback.status);
    expect(rollback.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    await existingUnchanged();
  });
});

describe("methods", () => {
  it("has no implicit HEAD routes under /v1", async () => {
    const res = await server.request("HEAD", `${secretPath("existing")}?reveal=true&purpose=head`, { token: admin });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("DELETE, GET, PUT");
    const audit = await server.request("GET", "/v1/audit?name=existing&action=reveal", { token: admin });
    expect(audit.body.items.filter((e: { purpose?: string }) => e.purpose === "head")).toEqual([]);
  });
});
