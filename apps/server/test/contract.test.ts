import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HttpResult, type ServerUnderTest, secretPath, startServer } from "./server-process.js";

// The REST contract items an independent OpenAPI fuzzer found: each answer is a documented
// problem document with the right status.

let server: ServerUnderTest;
let admin: string;
// biome-ignore lint/suspicious/noExplicitAny: walking a JSON document
let doc: any;
const METHODS = ["get", "put", "post", "delete"];

beforeAll(async () => {
  server = await startServer();
  admin = await server.token({ name: "contract", scopes: ["admin"] });
  expect((await server.request("PUT", secretPath("existing"), { token: admin, json: { value: "v-1" } })).status).toBe(
    201,
  );
  doc = (await server.request("GET", "/openapi.json")).body;
});
afterAll(async () => server?.stop());

function expectProblem(res: HttpResult, status: number) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  expect(res.body.status).toBe(status);
  return res.body;
}

/** Every documented operation as [method, OpenAPI path, operation]. */
function operations(): Array<[string, string, { responses: Record<string, unknown> }]> {
  const out: Array<[string, string, { responses: Record<string, unknown> }]> = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, never>>)) {
    for (const method of METHODS) if (item[method]) out.push([method.toUpperCase(), path, item[method]]);
  }
  return out;
}

/** A body each write route accepts, so that the query string is what gets refused. */
const VALID_BODIES: Record<string, unknown> = {
  "PUT /v1/secrets/{name}": { value: "changed" },
  "POST /v1/secrets/{name}/rotate": {},
  "POST /v1/secrets/{name}/restore": {},
  "POST /v1/secrets/{name}/rollback": { to: 1 },
  "POST /v1/secrets/{name}/entangle": { with: "existing" },
  "POST /v1/secrets/{name}/disentangle": { with: "existing" },
  "POST /v1/import": { IMPORTED: "x" },
  "POST /v1/secrets:batchGet": { names: ["existing"] },
};

/** A concrete URL path for an OpenAPI path. */
const concrete = (path: string) => path.replace("{name}", "existing");

describe("REST contract", () => {
  it("a malformed projectPath on an existing secret is a 400 naming it, not a 503", async () => {
    for (const projectPath of ["%2F%02", "%2Fa%0Ab", "%2F%7F", "relative%2Fdir"]) {
      const problem = expectProblem(
        await server.request("GET", `${secretPath("existing")}?projectPath=${projectPath}`, { token: admin }),
        400,
      );
      expect(problem.code).toBe("INVALID_ARGUMENT");
      expect(problem.details.field).toBe("projectPath");
    }
  });

  it("the service itself refuses a projectPath with a control character (every front end)", async () => {
    await expect(server.coffer.get("existing", { scope: "project", projectPath: "/\u0002" })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
      details: { field: "projectPath" },
    });
  });

  it("oversized headers get a 431 problem document, and every operation documents 431", async () => {
    const res = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      const req = httpRequest(`${server.url}/healthz`, { headers: { "x-big": "a".repeat(20_000) } }, (r) => {
        let body = "";
        r.on("data", (c: Buffer) => (body += c.toString("utf8")));
        r.on("end", () => resolve({ status: r.statusCode ?? 0, type: String(r.headers["content-type"]), body }));
      });
      req.on("error", reject);
      req.end();
    });
    expect(res.status).toBe(431);
    expect(res.type).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(res.body)).toMatchObject({ status: 431, code: "TOO_LARGE" });
    for (const [method, path, op] of operations())
      expect(Object.keys(op.responses), `${method} ${path}`).toContain("431");
  });

  it("a wrong method on a served path answers 405 with Allow, for every documented path", async () => {
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      const served = METHODS.filter((m) => item[m]).map((m) => m.toUpperCase());
      const other = ["PATCH", ...["GET", "PUT", "POST", "DELETE"].filter((m) => !served.includes(m))];
      for (const method of other) {
        const res = await server.request(method, concrete(path), { token: admin });
        expectProblem(res, 405);
        expect(res.headers.get("allow"), `${method} ${path}`).toBe([...served].sort().join(", "));
      }
      expect(Object.keys((item[served[0]!.toLowerCase()] as { responses: object }).responses)).toContain("405");
    }
    expect((await server.request("GET", secretPath("existing"), { token: admin })).body.version).toBe(1);
  });

  it("unknown query parameters are refused on every route", async () => {
    for (const [method, path] of operations()) {
      const res = await server.request(method, `${concrete(path)}?unknownParam=1`, {
        token: admin,
        ...(VALID_BODIES[`${method} ${path}`] === undefined ? {} : { json: VALID_BODIES[`${method} ${path}`] }),
      });
      const problem = expectProblem(res, 400);
      expect(problem.details.field, `${method} ${path}`).toBe("unknownParam");
    }
    expect((await server.request("GET", "/v1/providers?x=1", { token: admin })).status).toBe(400);
    expect((await server.request("GET", secretPath("existing"), { token: admin })).body.version).toBe(1);
  });

  it("an optional JSON body may be left out, but a JSON null is not an object (400)", async () => {
    for (const suffix of ["/rotate", "/restore"]) {
      const res = await server.request("POST", secretPath("existing", suffix), {
        token: admin,
        body: "null",
        headers: { "content-type": "application/json" },
      });
      expectProblem(res, 400);
    }
    expect((await server.request("GET", secretPath("existing"), { token: admin })).body.version).toBe(1);
  });

  it("the document has a servers entry and documents every status the server answers", () => {
    expect(doc.servers).toEqual([expect.objectContaining({ url: "/" })]);
    const statuses = new Set<string>();
    for (const [, , op] of operations()) for (const s of Object.keys(op.responses)) statuses.add(s);
    for (const s of ["400", "401", "403", "404", "405", "409", "412", "413", "415", "422", "429", "431", "503"]) {
      expect(statuses, s).toContain(s);
    }
  });

  it("states the rules the server enforces (name pattern, limit range, version, env, If-None-Match)", async () => {
    const schemas = doc.components.schemas;
    const name = new RegExp(schemas.SecretName.pattern, "u");
    for (const bad of ["COFFER_X", "coffer_x", "a//b", "a/../b", "a/", "9abc", "a b"])
      expect(name.test(bad), bad).toBe(false);
    for (const good of ["a", "openai/default_api_key", "A.b-c_d", "x".repeat(128)])
      expect(name.test(good), good).toBe(true);
    const listParams = doc.paths["/v1/secrets"].get.parameters as Array<{ name: string; schema: { pattern: string } }>;
    const limit = new RegExp(listParams.find((p) => p.name === "limit")!.schema.pattern, "u");
    expect(["1", "1000", "0050"].every((v) => limit.test(v))).toBe(true);
    expect(["0", "1001", "-1", "1e3"].some((v) => limit.test(v))).toBe(false);
    expectProblem(await server.request("GET", "/v1/secrets?limit=1001", { token: admin }), 400);
    expect(new RegExp(schemas.EnvName.pattern, "u").test("default")).toBe(false);
    const put = doc.paths["/v1/secrets/{name}"].put;
    const ifNoneMatch = put.parameters.find((p: { name: string }) => p.name === "if-none-match");
    expect(new RegExp(ifNoneMatch.schema.pattern, "u").test("*")).toBe(true);
    expect(new RegExp(ifNoneMatch.schema.pattern, "u").test('"1"')).toBe(false);
    expect(schemas.ProviderName.enum).toContain("local");
  });

  it("starts without a framework deprecation warning", () => {
    expect(server.logs()).not.toMatch(/Deprecation|FSTDEP|strict mode/i);
  });
});
