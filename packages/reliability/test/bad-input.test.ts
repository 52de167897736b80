import { type Coffer, CofferError, MAX_VALUE_BYTES } from "@coffer/core";
import { defaultAccessor, type OpenedCoffer, openCoffer } from "@coffer/runtime";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  connectMcp,
  createApiToken,
  createWorkspace,
  frontEndAvailable,
  killAllTracked,
  runCli,
  startRestServer,
  type Workspace,
} from "../src/index.js";
import { ALL_ERROR_CODES, CRASH_TEXT, INPUT_ERROR_CODES } from "./error-shapes.js";
import { tally } from "./scenario-tally.js";
import { runSeed } from "./seeded-random.js";
import { snapshotDiff, storeSnapshot } from "./store-snapshot.js";

const seed = runSeed();
const IN_PROCESS_RUNS = 150;
const CLI_RUNS = 30;
const MCP_RUNS = 120;
const REST_RUNS = 120;
const NAME_RULE = /^[A-Za-z_][A-Za-z0-9_./-]{0,127}$/;

let ws: Workspace;
let opened: OpenedCoffer;
let coffer: Coffer;

beforeAll(async () => {
  ws = createWorkspace("bad-input");
  opened = await openCoffer({ accessor: defaultAccessor("library"), cwd: ws.project, env: ws.env() });
  coffer = opened.coffer;
  await coffer.set("EXISTING", "existing-value");
});

afterAll(async () => {
  await killAllTracked();
  await opened?.coffer.dispose();
  ws?.cleanup();
});

const snapshot = () => storeSnapshot(opened.local!);

/** Run `call`; a rejection must be a CofferError with an input-error code, and must change nothing. */
async function rejectsCleanly<T>(
  call: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: CofferError }> {
  const before = await snapshot();
  try {
    return { ok: true, value: await call() };
  } catch (err) {
    expect(err, String(err)).toBeInstanceOf(CofferError);
    const e = err as CofferError;
    expect(INPUT_ERROR_CODES.has(e.code), `${e.code}: ${e.message}`).toBe(true);
    expect(snapshotDiff(before, await snapshot()), "state changed by a rejected call").toEqual([]);
    return { ok: false, error: e };
  }
}

const loneSurrogate = fc
  .tuple(fc.string({ maxLength: 20 }), fc.integer({ min: 0xd800, max: 0xdfff }), fc.string({ maxLength: 20 }))
  .map(([a, c, b]) => a + String.fromCharCode(c) + b);
const controlChars = fc.string({
  unit: fc.integer({ min: 0, max: 31 }).map((c) => String.fromCharCode(c)),
  minLength: 1,
  maxLength: 40,
});
const sizedAscii = fc.constantFrom(MAX_VALUE_BYTES - 1, MAX_VALUE_BYTES, MAX_VALUE_BYTES + 1).map((n) => "a".repeat(n));
// "€" is 3 bytes: 21845 of them are 65535 bytes, 21846 are 65538.
const sizedMultibyte = fc.constantFrom(21845, 21846).map((n) => "€".repeat(n));

describe(`bad input never crashes, is refused with a coded error and changes nothing (seed ${seed})`, () => {
  it("library set: any name is accepted only if it follows the naming rule, otherwise INVALID_ARGUMENT with nothing written", async (context) => {
    const names = fc.oneof(
      fc.string({ maxLength: 140 }),
      fc.string({ unit: "binary", maxLength: 140 }),
      fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_./-]{0,130}$/),
      fc.constantFrom(
        "",
        "COFFER_X",
        "coffer_key",
        "a//b",
        "a/./b",
        "a/../b",
        "a/",
        "x".repeat(129),
        "A\u0000B",
        "A\nB",
        "Ωmega",
        " LEAD",
        "-x",
      ),
    );
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(names, async (name) => {
        runs++;
        const r = await rejectsCleanly(() => coffer.set(name, "name-fuzz-value"));
        if (r.ok) {
          expect(name).toMatch(NAME_RULE);
          expect((await coffer.get(name, { reveal: true })).value).toBe("name-fuzz-value");
        } else {
          expect(r.error.code).toBe("INVALID_ARGUMENT");
          expect(r.error.message).not.toContain("name-fuzz-value");
        }
      }),
      { numRuns: IN_PROCESS_RUNS, seed },
    );
    tally(context, { operations: runs });
  });

  it("library set: values (empty, 64 KiB +/- 1, multi-byte at the limit, binary, control characters, invalid UTF-16) round-trip exactly or are refused", async (context) => {
    const values = fc.oneof(
      fc.constant(""),
      sizedAscii,
      sizedMultibyte,
      fc.string({ unit: "binary", maxLength: 300 }),
      controlChars,
      loneSurrogate,
    );
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(values, async (value) => {
        const name = `VALUE_FUZZ_${runs++}`;
        const r = await rejectsCleanly(() => coffer.set(name, value));
        const bytes = Buffer.byteLength(value, "utf8");
        if (value === "" || !value.isWellFormed()) {
          expect(r.ok ? "accepted" : r.error.code).toBe("INVALID_ARGUMENT");
        } else if (bytes > MAX_VALUE_BYTES) {
          expect(r.ok ? "accepted" : r.error.code).toBe("TOO_LARGE");
        } else {
          expect(r.ok, r.ok ? "" : r.error.message).toBe(true);
          expect((await coffer.get(name, { reveal: true })).value).toBe(value);
        }
        if (!r.ok) expect(r.error.message.length).toBeLessThan(500);
      }),
      { numRuns: IN_PROCESS_RUNS, seed },
    );
    tally(context, { operations: runs });
  });

  it("library set: binary values as base64 round-trip byte for byte; malformed base64 and over-limit bytes are refused", async (context) => {
    const inputs = fc.oneof(
      fc.uint8Array({ maxLength: 400 }).map((b) => ({ text: Buffer.from(b).toString("base64"), bytes: b.length })),
      fc
        .constantFrom(MAX_VALUE_BYTES, MAX_VALUE_BYTES + 1)
        .map((n) => ({ text: Buffer.alloc(n, 7).toString("base64"), bytes: n })),
      fc
        .string({ minLength: 1, maxLength: 50 })
        .filter((s) => !/^[A-Za-z0-9+/]*={0,2}$/.test(s))
        .map((text) => ({ text, bytes: -1 })),
    );
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(inputs, async ({ text, bytes }) => {
        const name = `BINARY_FUZZ_${runs++}`;
        const r = await rejectsCleanly(() => coffer.set(name, text, { encoding: "base64", allowEmpty: true }));
        if (bytes < 0) expect(r.ok ? "accepted" : r.error.code).toBe("INVALID_ARGUMENT");
        else if (bytes > MAX_VALUE_BYTES) expect(r.ok ? "accepted" : r.error.code).toBe("TOO_LARGE");
        else {
          expect(r.ok).toBe(true);
          const back = await coffer.get(name, { reveal: true });
          expect(back.encoding).toBe("base64");
          expect(Buffer.from(back.value!, "base64").equals(Buffer.from(text, "base64"))).toBe(true);
        }
      }),
      { numRuns: IN_PROCESS_RUNS, seed },
    );
    tally(context, { operations: runs });
  });

  it("library import: random .env, JSON and YAML text is imported as reported or refused whole, and dry runs write nothing", async (context) => {
    const key = fc.oneof(
      fc.stringMatching(/^[A-Z][A-Z0-9_]{0,10}$/),
      fc.string({ maxLength: 12 }),
      fc.constantFrom("COFFER_X", "EXISTING", "a b", ""),
    );
    const scalar = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.string({ unit: "binary", maxLength: 30 }),
      controlChars,
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
    );
    const envLine = fc.oneof(
      fc.tuple(key, fc.string({ maxLength: 30 })).map(([k, v]) => `${k}=${v}`),
      fc.tuple(key, fc.string({ maxLength: 30 })).map(([k, v]) => `export ${k}="${v}"`),
      fc.tuple(key, fc.string({ maxLength: 30 })).map(([k, v]) => `${k}='${v}`),
      fc.string({ maxLength: 40 }).map((c) => `# ${c}`),
      fc.string({ maxLength: 40 }),
    );
    const texts = fc.oneof(
      fc
        .array(envLine, { maxLength: 8 })
        .map((lines) => ({ text: lines.join("\n"), format: undefined as "env" | "json" | "yaml" | undefined })),
      fc
        .dictionary(
          key,
          fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(key, scalar, { maxKeys: 2 })),
          { maxKeys: 6 },
        )
        .map((o) => ({ text: JSON.stringify(o), format: "json" as const })),
      fc.json().map((text) => ({ text, format: "json" as const })),
      fc
        .array(
          fc.tuple(key, scalar).map(([k, v]) => `${k}: ${v}`),
          { maxLength: 6 },
        )
        .map((l) => ({ text: l.join("\n"), format: "yaml" as const })),
      fc.string({ unit: "binary", maxLength: 200 }).map((text) => ({ text, format: undefined })),
    );
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        texts,
        fc.constantFrom(undefined, "env", "json", "yaml"),
        fc.boolean(),
        async (input, forced, dryRun) => {
          runs++;
          const format = forced ?? input.format;
          const before = await snapshot();
          const r = await rejectsCleanly(() => coffer.import(input.text, { ...(format ? { format } : {}), dryRun }));
          if (!r.ok) return;
          const changed = snapshotDiff(before, await snapshot());
          if (dryRun) expect(changed).toEqual([]);
          else expect(changed.length).toBe(r.value.created + r.value.updated);
        },
      ),
      { numRuns: IN_PROCESS_RUNS, seed },
    );
    tally(context, { operations: runs });
  });

  it.skipIf(!frontEndAvailable("cli"))(
    "coffer with random arguments exits with a code from its table, never a crash or stack trace, and a refusal changes nothing",
    async (context) => {
      const safe = (s: string) => s.replace(/[/\\~]/g, "_").replace(/\0/g, "");
      const token = fc.oneof(
        fc.constantFrom(
          "get",
          "set",
          "list",
          "delete",
          "restore",
          "history",
          "rollback",
          "inspect",
          "has",
          "audit",
          "health",
          "import",
          "export",
          "generate",
          "entangle",
          "env",
          "rotate",
          "token",
          "--json",
          "--plain",
          "--scope",
          "--env",
          "--version",
          "--if-version",
          "--limit",
          "--tags",
          "--ttl",
          "--expires",
          "--format",
          "--provider",
          "--confirm",
          "--purge",
          "-1",
          "0",
          "99999999999999999999",
          "EXISTING",
          "project",
          "team:",
          "",
        ),
        fc.string({ maxLength: 20 }).map(safe),
        fc.string({ unit: "binary", maxLength: 20 }).map(safe),
      );
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(token, { minLength: 1, maxLength: 6 }),
          fc.string({ maxLength: 40 }),
          async (args, stdin) => {
            runs++;
            const argv = ["--non-interactive", "--json", ...args.filter((a) => a !== "run" && a !== "--")];
            const before = await snapshot();
            const r = await runCli(ws, argv, { input: stdin, timeoutMs: 30_000 });
            expect(r.code, `${argv.join(" ")}\n${r.stderr}`).not.toBeNull();
            expect(r.stdout + r.stderr).not.toMatch(CRASH_TEXT);
            if (r.json && r.json.ok === false) {
              expect(ALL_ERROR_CODES.has(r.json.error!.code)).toBe(true);
              expect(r.json.error!.code).not.toBe("INTERNAL");
              expect(snapshotDiff(before, await snapshot()), argv.join(" ")).toEqual([]);
            }
          },
        ),
        { numRuns: CLI_RUNS, seed },
      );
      tally(context, { operations: runs });
    },
  );

  it.skipIf(!frontEndAvailable("mcp"))(
    "MCP tools called with random arguments answer (isError with a CODE: prefix when refused), the server stays up, and refusals change nothing",
    async (context) => {
      const mcp = await connectMcp(ws, { args: ["--tools", "all"] });
      try {
        const listed = await (async () => {
          const names = await mcp.tools();
          return names.filter((n) => n !== "exec_with_secrets");
        })();
        const keys = [
          "key",
          "value",
          "name",
          "scope",
          "env",
          "tags",
          "version",
          "reveal",
          "purpose",
          "content",
          "format",
          "teamId",
          "orgId",
          "projectPath",
          "ttlSeconds",
          "expiresAt",
          "action",
          "mode",
          "length",
          "prefix",
          "saveAs",
          "limit",
          "a",
          "b",
          "dryRun",
          "grace",
          "to",
        ];
        const anyValue = fc.oneof(
          fc.string({ maxLength: 30 }),
          fc.string({ unit: "binary", maxLength: 30 }),
          loneSurrogate,
          fc.constantFrom("EXISTING", "global", "project", "team", "prod", "", "x".repeat(70_000)),
          fc.integer(),
          fc.double(),
          fc.boolean(),
          fc.constant(null),
          fc.array(fc.string({ maxLength: 10 }), { maxLength: 4 }),
          fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
        );
        let runs = 0;
        await fc.assert(
          fc.asyncProperty(
            fc.constantFrom(...listed),
            fc.dictionary(fc.constantFrom(...keys), anyValue, { maxKeys: 6 }),
            async (tool, args) => {
              runs++;
              const before = await snapshot();
              const r = await mcp.call(tool, args);
              expect(r.text).not.toMatch(CRASH_TEXT);
              if (r.isError) {
                const code = /^([A-Z_]+):/.exec(r.text)?.[1];
                // Schema refusals by the SDK come back as MCP errors (-32602) rather than CODE: text.
                if (!/MCP error -32602|Invalid arguments|Input validation/i.test(r.text)) {
                  expect(code !== undefined && ALL_ERROR_CODES.has(code), r.text).toBe(true);
                  expect(code).not.toBe("INTERNAL");
                }
                expect(snapshotDiff(before, await snapshot()), `${tool} ${JSON.stringify(args).slice(0, 200)}`).toEqual(
                  [],
                );
              }
            },
          ),
          { numRuns: MCP_RUNS, seed },
        );
        expect(await mcp.alive()).toBe(true);
        expect(mcp.stderr()).not.toMatch(CRASH_TEXT);
        tally(context, { operations: runs });
      } finally {
        await mcp.close();
      }
    },
  );

  it.skipIf(!frontEndAvailable("server"))(
    "REST requests with random bodies, content types and names never get a 5xx; refusals are problem documents with a code and change nothing",
    async (context) => {
      const token = await createApiToken(ws, "fuzz", ["admin"]);
      const server = await startRestServer(ws);
      try {
        const name = fc.oneof(
          fc.constantFrom("EXISTING", "NEW_ONE", "COFFER_X", "a..b", "%00", "%ZZ", "x".repeat(300)),
          fc.string({ maxLength: 20 }).map(encodeURIComponent),
        );
        const jsonBody = fc.oneof(
          fc.record(
            { value: fc.oneof(fc.string({ maxLength: 40 }), fc.integer(), fc.constant(null), loneSurrogate) },
            { requiredKeys: [] },
          ),
          fc.dictionary(
            fc.constantFrom(
              "value",
              "encoding",
              "tags",
              "ttlSeconds",
              "expiresAt",
              "env",
              "writeOnly",
              "to",
              "generate",
              "graceSeconds",
              "extra",
            ),
            fc.oneof(
              fc.string({ maxLength: 20 }),
              fc.integer(),
              fc.boolean(),
              fc.constant(null),
              fc.array(fc.integer(), { maxLength: 3 }),
            ),
          ),
          fc.jsonValue(),
        );
        const request = fc.oneof(
          fc.record({
            method: fc.constant("PUT"),
            path: name.map((n) => `/v1/secrets/${n}`),
            body: jsonBody.map((b) => JSON.stringify(b)),
            type: fc.constantFrom("application/json", "text/plain", "application/x-www-form-urlencoded"),
          }),
          fc.record({
            method: fc.constant("PUT"),
            path: name.map((n) => `/v1/secrets/${n}`),
            body: fc.oneof(fc.string({ maxLength: 50 }), fc.constant('{"value": "unterminated')),
            type: fc.constant("application/json"),
          }),
          fc.record({
            method: fc.constantFrom("POST"),
            path: fc
              .tuple(name, fc.constantFrom("rotate", "rollback", "restore"))
              .map(([n, op]) => `/v1/secrets/${n}/${op}`),
            body: jsonBody.map((b) => JSON.stringify(b)),
            type: fc.constant("application/json"),
          }),
          fc.record({
            method: fc.constant("POST"),
            path: fc.constantFrom(
              "/v1/import",
              "/v1/import?format=json",
              "/v1/import?format=yaml",
              "/v1/import?dryRun=maybe",
            ),
            body: fc.oneof(
              fc.string({ maxLength: 200 }),
              fc.string({ unit: "binary", maxLength: 200 }),
              jsonBody.map((b) => JSON.stringify(b)),
            ),
            type: fc.constantFrom("text/plain", "application/json", "application/yaml", "image/png"),
          }),
          fc.record({
            method: fc.constantFrom("GET", "DELETE"),
            path: fc
              .tuple(name, fc.string({ maxLength: 20 }))
              .map(([n, q]) => `/v1/secrets/${n}?version=${encodeURIComponent(q)}&limit=${encodeURIComponent(q)}`),
            body: fc.constant(undefined),
            type: fc.constant(undefined),
          }),
          fc.record({
            method: fc.constant("GET"),
            path: fc
              .string({ maxLength: 20 })
              .map(
                (q) =>
                  `/v1/audit?since=${encodeURIComponent(q)}&limit=${encodeURIComponent(q)}&action=${encodeURIComponent(q)}`,
              ),
            body: fc.constant(undefined),
            type: fc.constant(undefined),
          }),
        );
        let runs = 0;
        await fc.assert(
          fc.asyncProperty(request, async (req) => {
            runs++;
            const before = await snapshot();
            const res = await server.request(req.method, req.path, {
              token,
              ...(req.body !== undefined ? { body: req.body } : {}),
              ...(req.type ? { headers: { "content-type": req.type } } : {}),
            });
            expect(res.status, `${req.method} ${req.path} -> ${res.status} ${res.text.slice(0, 300)}`).toBeLessThan(
              500,
            );
            expect(res.text).not.toMatch(CRASH_TEXT);
            if (res.status >= 400) {
              const code = (res.body as { code?: string } | undefined)?.code;
              expect(code !== undefined && ALL_ERROR_CODES.has(code), res.text.slice(0, 300)).toBe(true);
              if (req.method !== "DELETE" || res.status !== 404) {
                expect(snapshotDiff(before, await snapshot()), `${req.method} ${req.path}`).toEqual([]);
              }
            }
          }),
          { numRuns: REST_RUNS, seed },
        );
        expect((await server.request("GET", "/healthz")).status).toBe(200);
        expect(server.process.stderr()).not.toMatch(CRASH_TEXT);
        tally(context, { operations: runs });
      } finally {
        await server.stop();
      }
    },
  );
});
