import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerUnderTest, startServer } from "./server-process.js";

let server: ServerUnderTest;
// biome-ignore lint/suspicious/noExplicitAny: walking a JSON document
let doc: any;

/** Every route the server serves, as `METHOD path` in OpenAPI form. */
const ROUTES = [
  "GET /healthz",
  "GET /readyz",
  "GET /v1/secrets",
  "POST /v1/secrets:batchGet",
  "GET /v1/secrets/{name}",
  "PUT /v1/secrets/{name}",
  "DELETE /v1/secrets/{name}",
  "POST /v1/secrets/{name}/restore",
  "POST /v1/secrets/{name}/rotate",
  "GET /v1/secrets/{name}/versions",
  "GET /v1/secrets/{name}/inspect",
  "POST /v1/secrets/{name}/rollback",
  "POST /v1/secrets/{name}/entangle",
  "POST /v1/secrets/{name}/disentangle",
  "POST /v1/import",
  "GET /v1/export",
  "GET /v1/audit",
  "GET /v1/audit/verify",
  "GET /v1/audit/export",
  "GET /v1/audit/anomalies",
  "GET /v1/approvals",
  "GET /v1/providers",
];
const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

beforeAll(async () => {
  server = await startServer();
  const res = await server.request("GET", "/openapi.json");
  expect(res.status).toBe(200);
  doc = res.body;
});
afterAll(async () => server?.stop());

/** Every value in a JSON tree with its path. */
function* walk(node: unknown, path = "#"): Generator<[string, unknown]> {
  yield [path, node];
  if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) yield* walk(v, `${path}/${k}`);
  }
}

describe("OpenAPI document", () => {
  it("is OpenAPI 3.1 with info, bearer security scheme and component schemas", () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(["Problem", "SecretResult", "WriteResult", "AuditEntry"]),
    );
  });

  it("covers exactly the served routes", () => {
    const documented: string[] = [];
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(item))
        if (METHODS.includes(method)) documented.push(`${method.toUpperCase()} ${path}`);
    }
    expect(documented.sort()).toEqual([...ROUTES].sort());
  });

  it("describes every operation completely", () => {
    const operationIds = new Set<string>();
    for (const route of ROUTES) {
      const [method, path] = route.split(" ") as [string, string];
      const op = doc.paths[path][method.toLowerCase()];
      expect(op.operationId, route).toEqual(expect.any(String));
      expect(operationIds.has(op.operationId), `duplicate operationId ${op.operationId}`).toBe(false);
      operationIds.add(op.operationId);
      expect(op.summary, route).toEqual(expect.any(String));
      const statuses = Object.keys(op.responses);
      expect(
        statuses.some((s) => /^2\d\d$/.test(s)),
        route,
      ).toBe(true);
      for (const [status, response] of Object.entries(
        op.responses as Record<string, { description?: string; content?: object }>,
      )) {
        expect(response.description, `${route} ${status}`).toEqual(expect.any(String));
        if (Number(status) >= 400) expect(Object.keys(response.content ?? {})).toEqual(["application/problem+json"]);
      }
      // Path templating: every {param} is a required path parameter, and nothing else is.
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const pathParams = (op.parameters ?? []).filter((p: { in: string }) => p.in === "path");
      expect(pathParams.map((p: { name: string }) => p.name).sort()).toEqual(templated.sort());
      for (const p of pathParams) expect(p.required).toBe(true);
      for (const p of op.parameters ?? []) {
        expect(["query", "header", "path", "cookie"]).toContain(p.in);
        expect(p.schema, `${route} ${p.name}`).toBeTypeOf("object");
      }
      if (path.startsWith("/v1/")) {
        expect(op.security).toEqual([{ bearerAuth: [] }]);
        expect(statuses).toEqual(expect.arrayContaining(["400", "401", "403", "429"]));
      } else {
        expect(op.security).toEqual([]);
      }
    }
  });

  it("resolves every $ref and uses no OpenAPI 3.0-only keywords", () => {
    for (const [path, node] of walk(doc)) {
      if (!node || typeof node !== "object" || Array.isArray(node)) continue;
      const obj = node as Record<string, unknown>;
      if (typeof obj.$ref === "string") {
        expect(obj.$ref, path).toMatch(/^#\/components\/schemas\//);
        const target = obj.$ref.slice("#/components/schemas/".length);
        expect(doc.components.schemas[target], `${path} -> ${obj.$ref}`).toBeDefined();
      }
      expect(obj.nullable, `${path}: nullable is OpenAPI 3.0 only`).toBeUndefined();
      if ("exclusiveMinimum" in obj) expect(typeof obj.exclusiveMinimum, path).toBe("number");
    }
  });

  it("marks bodies: required for PUT, optional for rotate and restore, raw text for import", () => {
    expect(doc.paths["/v1/secrets/{name}"].put.requestBody.required).toBe(true);
    expect(
      doc.paths["/v1/secrets/{name}"].put.requestBody.content["application/json"].schema.additionalProperties,
    ).toBe(false);
    expect(doc.paths["/v1/secrets/{name}/rotate"].post.requestBody.required).toBe(false);
    expect(doc.paths["/v1/secrets/{name}/restore"].post.requestBody.required).toBe(false);
    expect(Object.keys(doc.paths["/v1/import"].post.requestBody.content)).toEqual(
      expect.arrayContaining(["text/plain", "application/json", "application/yaml"]),
    );
  });

  it("serves the /docs reference page from local assets only", async () => {
    const page = await server.request("GET", "/docs/");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    const assets = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    expect(assets.length).toBeGreaterThan(2);
    for (const asset of assets) {
      expect(asset, "no CDN").not.toMatch(/^(https?:)?\/\//);
      const res = await server.request("GET", new URL(asset, `${server.url}/docs/`).pathname);
      expect(res.status, asset).toBe(200);
    }
    expect(page.headers.get("content-security-policy")).toMatch(/default-src 'self'/);
    expect(page.headers.get("content-security-policy")).not.toMatch(/https?:/);
    const init = await server.request("GET", "/docs/static/swagger-initializer.js");
    expect(init.text).toContain("validatorUrl: null");
    expect(init.text).toContain("resolveUrl('./json')");
    expect((await server.request("GET", "/docs/json")).body.openapi).toBe(doc.openapi);
  });
});
