import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HttpResult, type ServerUnderTest, secretPath, startServer } from "./server-process.js";

// Property-based fuzzing over real HTTP: no input yields a 5xx, every refusal is a problem
// document, and a refused request changes nothing.

let server: ServerUnderTest;
let admin: string;
const RUNS = 150;

beforeAll(async () => {
  server = await startServer({ userConfig: "server:\n  rateLimit:\n    perToken: 1000000\n    perAddress: 1000000\n" });
  admin = await server.token({ name: "fuzzer", scopes: ["admin"] });
  expect(
    (await server.request("PUT", secretPath("fuzz-target"), { token: admin, json: { value: "fuzz-target-value" } }))
      .status,
  ).toBe(201);
});
afterAll(async () => server?.stop());

/** Names, versions and deletion state of every secret: what a refused request must not change. */
async function snapshot(): Promise<string> {
  const res = await server.request("GET", "/v1/secrets?includeDeleted=true&includeExpired=true&limit=1000", {
    token: admin,
  });
  expect(res.status).toBe(200);
  return JSON.stringify(
    res.body.items
      .map((i: { name: string; scopeLabel: string; env?: string; version: number; deletedAt?: string }) => [
        i.name,
        i.scopeLabel,
        i.env,
        i.version,
        i.deletedAt ?? null,
      ])
      .sort(),
  );
}

function expectWellFormed(res: HttpResult, what: string): void {
  expect(res.status, `${what} -> ${res.status} ${res.text.slice(0, 300)}`).toBeLessThan(500);
  if (res.status >= 400) {
    expect(res.headers.get("content-type"), what).toMatch(/^application\/problem\+json/);
    expect(res.body?.status, what).toBe(res.status);
    expect(typeof res.body?.code, what).toBe("string");
  }
}

/** Run a request; if refused, assert nothing changed. */
async function refusedChangesNothing(what: string, send: () => Promise<HttpResult>): Promise<HttpResult> {
  const before = await snapshot();
  const res = await send();
  expectWellFormed(res, what);
  if (res.status >= 400) expect(await snapshot(), `${what} was refused but changed state`).toBe(before);
  return res;
}

const PATH_PIECES = [
  "a",
  "Z",
  "0",
  "_",
  "-",
  ".",
  "..",
  "/",
  "%",
  "%2F",
  "%2f",
  "%00",
  "%0A",
  "%20",
  "%E0",
  "%zz",
  "%25",
  "~",
  "+",
  "COFFER_",
  "é",
  "%C3%A9",
  "fuzz-target",
];
const rawSegment = fc
  .array(fc.constantFrom(...PATH_PIECES), { minLength: 0, maxLength: 16 })
  .map((parts) => parts.join(""));
const SUFFIXES = ["", "/versions", "/restore", "/rotate", "/rollback", "/x"];
const METHODS = ["GET", "PUT", "POST", "DELETE"];

describe("fuzzing", () => {
  it("any secret name (URL-encoded) in PUT gives < 500 and refusals change nothing", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary", maxLength: 160 }), async (name) => {
        const res = await refusedChangesNothing(`PUT ${JSON.stringify(name)}`, () =>
          server.request("PUT", secretPath(name), { token: admin, json: { value: "fuzzed-name-value" } }),
        );
        if (res.status < 300) {
          expect(res.body.name).toBe(name);
          await server.request("DELETE", `${secretPath(name)}?purge=true`, { token: admin });
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("raw, possibly malformed paths on every method give < 500", async () => {
    await fc.assert(
      fc.asyncProperty(
        rawSegment,
        fc.constantFrom(...SUFFIXES),
        fc.constantFrom(...METHODS),
        async (segment, suffix, method) => {
          const path = `/v1/secrets/${segment}${suffix}`;
          await refusedChangesNothing(`${method} ${path}`, () =>
            server.request(method, path, {
              token: admin,
              ...(method === "PUT" || method === "POST" ? { json: {} } : {}),
            }),
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("arbitrary JSON bodies on PUT give < 500; refused ones change nothing", async () => {
    const field = fc.constantFrom(
      "value",
      "encoding",
      "env",
      "tags",
      "description",
      "ttlSeconds",
      "expiresAt",
      "rotationFormat",
      "rotationPrefix",
      "allowedAgentIds",
      "writeOnly",
      "allowEmpty",
      "mergeAttributes",
      "__proto__",
      "constructor",
      "extra",
    );
    const body = fc.oneof(
      fc.jsonValue(),
      fc.dictionary(field, fc.jsonValue(), { maxKeys: 6 }),
      fc.record({ value: fc.string() }, { requiredKeys: [] }),
    );
    await fc.assert(
      fc.asyncProperty(body, async (json) => {
        await refusedChangesNothing(`PUT body ${JSON.stringify(json)?.slice(0, 200)}`, () =>
          server.request("PUT", secretPath("fuzz-target"), {
            token: admin,
            body: JSON.stringify(json) ?? "",
            headers: { "content-type": "application/json" },
          }),
        );
      }),
      { numRuns: RUNS },
    );
  });

  it("arbitrary raw bodies, content types and conditional headers give < 500", async () => {
    const contentType = fc.constantFrom(
      "application/json",
      "application/json; charset=utf-8",
      "text/plain",
      "application/yaml",
      "application/octet-stream",
      "",
      "multipart/form-data; boundary=x",
    );
    const header = fc.option(
      fc.string({ maxLength: 12 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
      { nil: undefined },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: "grapheme", maxLength: 300 }),
        contentType,
        header,
        header,
        fc.constantFrom("/rotate", "/rollback", "/restore", ""),
        async (raw, type, ifMatch, ifNoneMatch, suffix) => {
          const headers: Record<string, string> = {};
          if (type) headers["content-type"] = type;
          if (ifMatch !== undefined) headers["if-match"] = ifMatch;
          if (ifNoneMatch !== undefined) headers["if-none-match"] = ifNoneMatch;
          const method = suffix === "" ? "PUT" : "POST";
          await refusedChangesNothing(`${method} ${suffix} ${type} ${JSON.stringify(raw).slice(0, 120)}`, () =>
            server.request(method, secretPath("fuzz-target", suffix), { token: admin, body: raw, headers }),
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("arbitrary query strings on read routes give < 500", async () => {
    const key = fc.constantFrom(
      "pattern",
      "tag",
      "scope",
      "env",
      "provider",
      "limit",
      "cursor",
      "includeDeleted",
      "reveal",
      "purpose",
      "version",
      "teamId",
      "action",
      "since",
      "failed",
      "bogus",
    );
    const value = fc.string({ unit: "binary", maxLength: 40 });
    const route = fc.constantFrom(
      "/v1/secrets",
      secretPath("fuzz-target"),
      secretPath("fuzz-target", "/versions"),
      "/v1/audit",
      "/v1/export",
    );
    await fc.assert(
      fc.asyncProperty(route, fc.array(fc.tuple(key, value), { maxLength: 4 }), async (path, pairs) => {
        const query = pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&");
        const res = await server.request("GET", `${path}?${query}`, { token: admin });
        expectWellFormed(res, `GET ${path}?${query}`);
      }),
      { numRuns: RUNS },
    );
  });

  it("the fuzzed target still holds its value unless a fuzzed write legitimately replaced it", async () => {
    const res = await server.request("GET", `${secretPath("fuzz-target")}?reveal=true&purpose=final%20check`, {
      token: admin,
    });
    expect(res.status).toBe(200);
    expect(server.logs()).not.toMatch(/"level":50/);
  });
});
