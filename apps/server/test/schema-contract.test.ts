import { Ajv, type ValidateFunction } from "ajv";
import formatsPlugin from "ajv-formats";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HttpResult, type ServerUnderTest, secretPath, startServer } from "./server-process.js";

// Schema-driven contract check: for every operation of /openapi.json, requests the document
// allows (generated from its schemas, judged by a JSON Schema validator of their own) are not
// refused with 400, and requests it forbids (wrong types, out-of-range numbers, broken patterns,
// unknown fields and query parameters) get a 4xx problem document the operation documents.
// The document is read as an outside client would; nothing here imports the server's schemas.

// biome-ignore lint/suspicious/noExplicitAny: walking JSON Schema
type Schema = any;
interface Parameter {
  name: string;
  in: "path" | "query" | "header";
  required?: boolean;
  schema: Schema;
}
interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  body?: { mediaType: string; schema: Schema; required: boolean };
  statuses: Set<number>;
}
interface Request {
  path: string;
  query: Array<[string, string]>;
  headers: Record<string, string>;
  body?: { mediaType: string; text: string };
}

const RUNS = Number(process.env.SCHEMA_CHECK_RUNS ?? 12);
let server: ServerUnderTest;
let admin: string;
let doc: Schema;
let operations: Operation[];
const ajv = new Ajv({ strict: false, allErrors: false, unicodeRegExp: true });
// ajv-formats is CommonJS: its default export is the plugin itself at run time.
(formatsPlugin as unknown as typeof formatsPlugin.default)(ajv);
const validators = new Map<Schema, ValidateFunction>();

beforeAll(async () => {
  server = await startServer({
    userConfig: "server:\n  rateLimit:\n    perToken: 1000000\n    perAddress: 1000000\n",
  });
  admin = await server.token({ name: "schema-check", scopes: ["admin"] });
  expect((await server.request("PUT", secretPath("existing"), { token: admin, json: { value: "v" } })).status).toBe(
    201,
  );
  doc = (await server.request("GET", "/openapi.json")).body;
  operations = readOperations(doc);
});
afterAll(async () => server?.stop());

/** A schema with every `$ref` replaced by the component it names. */
function deref(schema: Schema): Schema {
  if (Array.isArray(schema)) return schema.map(deref);
  if (!schema || typeof schema !== "object") return schema;
  if (typeof schema.$ref === "string") {
    const target = doc.components.schemas[schema.$ref.replace("#/components/schemas/", "")];
    const { $ref: _ref, ...rest } = schema;
    return deref({ ...target, ...rest, $id: undefined });
  }
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([k, v]) => !(k === "$id" && v === undefined))
      .map(([k, v]) => [k, deref(v)]),
  );
}

function validator(schema: Schema): ValidateFunction {
  const known = validators.get(schema);
  if (known) return known;
  const compiled = ajv.compile(schema);
  validators.set(schema, compiled);
  return compiled;
}

function readOperations(document: Schema): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, Schema>>)) {
    for (const method of ["get", "put", "post", "delete"]) {
      const op = item[method];
      if (!op) continue;
      const content = op.requestBody?.content ?? {};
      const mediaType = Object.keys(content)[0];
      out.push({
        method: method.toUpperCase(),
        path,
        parameters: (op.parameters ?? []).map((p: Parameter) => ({ ...p, schema: deref(p.schema) })),
        ...(mediaType
          ? {
              body: {
                mediaType,
                schema: deref(content[mediaType].schema),
                required: op.requestBody.required !== false,
              },
            }
          : {}),
        statuses: new Set(Object.keys(op.responses).map(Number)),
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------- generating valid values

/** A pattern without its negative lookaheads (fast-check cannot generate those; the full pattern filters). */
function generatorPattern(pattern: string): string {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    if (pattern.startsWith("(?!", i)) {
      let depth = 0;
      for (; i < pattern.length; i++) {
        if (pattern[i] === "\\") i++;
        else if (pattern[i] === "(") depth++;
        else if (pattern[i] === ")" && --depth === 0) break;
      }
      continue;
    }
    out += pattern[i];
    if (pattern[i] === "\\") out += pattern[++i] ?? "";
  }
  return out;
}

function stringArbitrary(schema: Schema): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = Math.min(schema.maxLength ?? 40, 40);
  const fits = (s: string) => [...s].length >= min && [...s].length <= (schema.maxLength ?? Number.POSITIVE_INFINITY);
  if (schema.format === "date-time" || schema.format === "date") {
    return fc
      .date({ min: new Date("2001-01-01T00:00:00Z"), max: new Date("2090-12-31T00:00:00Z"), noInvalidDate: true })
      .map((d) => (schema.format === "date" ? d.toISOString().slice(0, 10) : d.toISOString()));
  }
  if (typeof schema.pattern === "string") {
    const full = new RegExp(schema.pattern, "u");
    return fc
      .stringMatching(new RegExp(generatorPattern(schema.pattern), "u"), { maxLength: max })
      .map((s) => (fits(s) ? s : s.slice(0, Math.max(min, Math.min(max, s.length)))))
      .filter((s) => full.test(s) && fits(s));
  }
  return fc.string({ minLength: min, maxLength: Math.max(min, max) });
}

function arbitrary(schema: Schema): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum);
  if (Array.isArray(schema.anyOf)) return fc.oneof(...schema.anyOf.map(arbitrary));
  switch (schema.type) {
    case "string":
      return stringArbitrary(schema);
    case "integer":
      return fc.integer({ min: schema.minimum ?? -1000, max: Math.min(schema.maximum ?? 1_000_000, 2 ** 31) });
    case "boolean":
      return fc.boolean();
    case "array":
      return fc.array(arbitrary(schema.items ?? {}), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 4, 4),
      });
    case "object": {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const record = Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, arbitrary(s)]));
      return fc.record(record, { requiredKeys: schema.required ?? [] });
    }
    default:
      return fc.constant("x");
  }
}

/** Names and values of an import file: what the import route's `string` body means. */
const importPairs = fc.array(
  fc.tuple(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,20}$/), fc.stringMatching(/^[A-Za-z0-9_.:-]{1,30}$/)),
  { minLength: 1, maxLength: 4 },
);

/** The import file in the format the query asks for (detected from the content when absent). */
function importFile(pairs: Array<[string, string]>, format: unknown): { mediaType: string; text: string } {
  const named = pairs.map(([k, v]) => [`IMPORTED_${k}`, v] as const);
  if (format === "json") return { mediaType: "application/json", text: JSON.stringify(Object.fromEntries(named)) };
  if (format === "yaml") {
    return { mediaType: "application/yaml", text: named.map(([k, v]) => `${k}: "${v}"\n`).join("") };
  }
  return { mediaType: "text/plain", text: named.map(([k, v]) => `${k}=${v}\n`).join("") };
}

/**
 * Rules the document states in descriptions because OpenAPI cannot express a dependency between
 * parameters: a scope kind needs its id, a reveal needs a purpose, If-Match excludes If-None-Match.
 */
function withDocumentedDependencies(
  op: Operation,
  query: Record<string, unknown>,
  headers: Record<string, unknown>,
): void {
  const needs: Record<string, string> = { team: "teamId", org: "orgId", plugin: "scopeId", agent: "scopeId" };
  const field = needs[query.scope as string];
  // Only where the scope addresses a secret (with its id parameters), not a listing's kind filter.
  if (field && query[field] === undefined && op.parameters.some((p) => p.name === field)) query[field] = "acme";
  if (query.reveal === "true" && query.purpose === undefined) query.purpose = "schema check";
  if (headers["if-match"] !== undefined) delete headers["if-none-match"];
}

function concretePath(op: Operation, name: string): string {
  return op.path.replace("{name}", encodeURIComponent(name));
}

/** A request the document allows, for one operation. */
function validRequest(op: Operation): fc.Arbitrary<Request> {
  const params = op.parameters.filter((p) => p.in !== "path");
  const nameParam = op.parameters.find((p) => p.in === "path");
  const name = nameParam
    ? op.method === "DELETE"
      ? arbitrary(nameParam.schema)
      : fc.oneof(fc.constant("existing"), arbitrary(nameParam.schema))
    : fc.constant("");
  const values = fc.record(Object.fromEntries(params.map((p) => [`${p.in}:${p.name}`, arbitrary(p.schema)])), {
    requiredKeys: params.filter((p) => p.required).map((p) => `${p.in}:${p.name}`),
  });
  const body: fc.Arbitrary<Request["body"] | Array<[string, string]> | undefined> = !op.body
    ? fc.constant(undefined)
    : op.body.schema.type === "string"
      ? importPairs
      : arbitrary(op.body.schema)
          .filter((b) => validator(op.body!.schema)(b))
          .map((b) => ({ mediaType: op.body!.mediaType, text: JSON.stringify(b) }));
  return fc.tuple(name, values, body).map(([n, v, generated]) => {
    const query: Record<string, unknown> = {};
    const headers: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(v as Record<string, unknown>)) {
      const [place, param] = key.split(/:(.*)/s) as [string, string];
      (place === "query" ? query : headers)[param] = value;
    }
    withDocumentedDependencies(op, query, headers);
    const b = Array.isArray(generated) ? importFile(generated, query.format) : generated;
    const pairs: Array<[string, string]> = [];
    for (const [k, value] of Object.entries(query)) {
      for (const one of Array.isArray(value) ? value : [value]) pairs.push([k, String(one)]);
    }
    return {
      path: concretePath(op, n as string),
      query: pairs,
      headers: Object.fromEntries(Object.entries(headers).map(([k, value]) => [k, String(value)])),
      ...(b ? { body: b } : {}),
    };
  });
}

// ---------------------------------------------------------------- generating invalid values

/** Values that break one schema, each checked against it by the validator. */
function invalidValues(schema: Schema, asText: boolean): unknown[] {
  const candidates: unknown[] = asText
    ? ["", " ", "\u0001", "not a valid value", "-1", "0", "99999999999999", "x".repeat(5000), "a//b", "COFFER_X"]
    : [12345, true, null, [], {}, "", -1, 0, 2 ** 40, 1.5, "x".repeat(70_000), "\u0001", ["\u0001"]];
  if (typeof schema.maximum === "number") candidates.push(schema.maximum + 1);
  if (typeof schema.minimum === "number") candidates.push(schema.minimum - 1);
  const check = validator(schema);
  return candidates.filter((c) => !check(c));
}

/** Requests the document forbids, built from a valid one by breaking exactly one thing. */
function invalidRequest(op: Operation): fc.Arbitrary<{ request: Request; what: string }> {
  const mutations: fc.Arbitrary<(r: Request) => { request: Request; what: string }>[] = [
    fc.constant((r: Request) => ({
      request: { ...r, query: [...r.query, ["unknownParam", "1"] as [string, string]] },
      what: "unknown query parameter",
    })),
  ];
  for (const p of op.parameters.filter((x) => x.in === "query")) {
    const bad = invalidValues(p.schema, true).filter((v) => typeof v === "string") as string[];
    if (bad.length === 0) continue;
    mutations.push(
      fc.constantFrom(...bad).map((value) => (r: Request) => ({
        request: { ...r, query: [...r.query.filter(([k]) => k !== p.name), [p.name, value] as [string, string]] },
        what: `query ${p.name}=${JSON.stringify(value.slice(0, 20))}`,
      })),
    );
  }
  const nameParam = op.parameters.find((p) => p.in === "path");
  if (nameParam) {
    const bad = invalidValues(nameParam.schema, true).filter((v) => typeof v === "string" && v !== "") as string[];
    mutations.push(
      fc.constantFrom(...bad).map((value) => (r: Request) => ({
        request: { ...r, path: concretePath(op, value) },
        what: `path name ${JSON.stringify(value.slice(0, 20))}`,
      })),
    );
  }
  const body = op.body;
  if (body && body.schema.type === "object") {
    mutations.push(
      fc.constant((r: Request) => {
        const parsed = JSON.parse(r.body?.text ?? "{}");
        return {
          request: { ...r, body: { mediaType: body.mediaType, text: JSON.stringify({ ...parsed, unknownField: 1 }) } },
          what: "unknown body field",
        };
      }),
    );
    for (const [field, schema] of Object.entries((body.schema.properties ?? {}) as Record<string, Schema>)) {
      const bad = invalidValues(schema, false);
      if (bad.length === 0) continue;
      mutations.push(
        fc.constantFrom(...bad).map((value) => (r: Request) => {
          const parsed = { ...JSON.parse(r.body?.text ?? "{}"), [field]: value };
          return {
            request: { ...r, body: { mediaType: body.mediaType, text: JSON.stringify(parsed) } },
            what: `body ${field}=${JSON.stringify(value)?.slice(0, 30)}`,
          };
        }),
      );
    }
  }
  return fc.tuple(validRequest(op), fc.oneof(...mutations)).map(([request, mutate]) => mutate(request));
}

// ---------------------------------------------------------------- sending

async function send(op: Operation, r: Request): Promise<HttpResult> {
  const query = r.query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
  return server.request(op.method, `${r.path}${query ? `?${query}` : ""}`, {
    token: admin,
    headers: { ...r.headers, ...(r.body ? { "content-type": r.body.mediaType } : {}) },
    ...(r.body ? { body: r.body.text } : {}),
  });
}

function describeRequest(op: Operation, r: Request, res: HttpResult): string {
  return `${op.method} ${r.path.slice(0, 200)}?${JSON.stringify(r.query).slice(0, 300)} headers=${JSON.stringify(r.headers)} body=${r.body?.text.slice(0, 200)} -> ${res.status} ${res.text.slice(0, 300)}`;
}

describe("schema-driven contract", () => {
  it("covers every documented operation", () => {
    expect(operations.length).toBeGreaterThanOrEqual(18);
  });

  it("accepts every request the document allows (never 400; only documented statuses)", async () => {
    for (const op of operations) {
      await fc.assert(
        fc.asyncProperty(validRequest(op), async (request) => {
          const res = await send(op, request);
          const what = describeRequest(op, request, res);
          expect(res.status, what).not.toBe(400);
          expect(res.status, what).toBeLessThan(500);
          expect(op.statuses.has(res.status) || (res.status >= 200 && res.status < 300), what).toBe(true);
          if (res.status >= 400) expect(res.headers.get("content-type"), what).toMatch(/^application\/problem\+json/);
        }),
        { numRuns: RUNS },
      );
    }
  });

  it("answers every request the document forbids with a documented 4xx problem document", async () => {
    for (const op of operations) {
      await fc.assert(
        fc.asyncProperty(invalidRequest(op), async ({ request, what }) => {
          const res = await send(op, request);
          const context = `${what}: ${describeRequest(op, request, res)}`;
          expect(res.status, context).toBeGreaterThanOrEqual(400);
          expect(res.status, context).toBeLessThan(500);
          expect(op.statuses.has(res.status), context).toBe(true);
          expect(res.headers.get("content-type"), context).toMatch(/^application\/problem\+json/);
          expect(res.body, context).toMatchObject({ status: res.status, code: expect.any(String) });
        }),
        { numRuns: RUNS },
      );
    }
  });

  it("left the server healthy and logged no failure", async () => {
    expect((await server.request("GET", "/healthz")).status).toBe(200);
    expect(server.logs()).not.toMatch(/"level":50/);
  });
});
