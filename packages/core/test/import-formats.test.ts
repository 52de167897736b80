import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDotenv } from "../src/dotenv/index.js";
import { CofferError } from "../src/errors/index.js";
import {
  detectImportFormat,
  type ExportItem,
  formatExport,
  type ImportFormat,
  normalizeExpiry,
  parseImport,
} from "../src/import-formats/index.js";

function importError(text: string, format: ImportFormat): CofferError {
  try {
    parseImport(text, format);
  } catch (err) {
    expect(err).toBeInstanceOf(CofferError);
    return err as CofferError;
  }
  throw new Error("expected parseImport to throw");
}

function exportError(
  items: ExportItem[],
  format: "json" | "yaml" | "csv" | "env",
  includeValues: boolean,
): CofferError {
  try {
    formatExport(items, format, { includeValues });
  } catch (err) {
    expect(err).toBeInstanceOf(CofferError);
    return err as CofferError;
  }
  throw new Error("expected formatExport to throw");
}

const SECRET = "sk_live_TOPSECRET_value";

describe("parseImport: env", () => {
  it("reads a .env file into items and carries its warnings", () => {
    const result = parseImport(
      `API_KEY_STRIPE=${SECRET}\nDATABASE_PASSWORD='p@ss word'\nEMPTY=\nAPI_KEY_STRIPE=again\n`,
      "env",
    );
    expect(result.items).toEqual([
      { name: "API_KEY_STRIPE", value: "again" },
      { name: "DATABASE_PASSWORD", value: "p@ss word" },
      { name: "EMPTY", value: "" },
    ]);
    expect(result.warnings.map((w) => [w.code, w.name, w.line])).toEqual([
      ["DUPLICATE_KEY", "API_KEY_STRIPE", 4],
      ["EMPTY_VALUE", "EMPTY", 3],
    ]);
  });

  it("rejects a reserved name with the line number", () => {
    const err = importError(`OK=1\nCOFFER_MASTER_KEY=${SECRET}\n`, "env");
    expect(err.code).toBe("INVALID_ARGUMENT");
    expect(err.message).toContain(".env line 2");
    expect(err.message).toContain("reserved");
    expect(err.message).not.toContain(SECRET);
  });
});

describe("parseImport: json", () => {
  it("reads the reference shape: plain strings and objects with metadata", () => {
    const text = JSON.stringify({
      "api-key-stripe": "sk_live_abc123",
      "database-password": "secret123",
      "api-token": {
        value: "token_xyz",
        tags: ["production", "api"],
        expiresAt: "2025-12-31",
        description: "The API token",
        ttlSeconds: 3600,
      },
      blob: { value: "AAEC/w==", encoding: "base64" },
    });
    expect(parseImport(text, "json")).toEqual({
      items: [
        { name: "api-key-stripe", value: "sk_live_abc123" },
        { name: "database-password", value: "secret123" },
        {
          name: "api-token",
          value: "token_xyz",
          tags: ["production", "api"],
          expiresAt: "2025-12-31T00:00:00.000Z",
          description: "The API token",
          ttlSeconds: 3600,
        },
        { name: "blob", value: "AAEC/w==", encoding: "base64" },
      ],
      warnings: [],
    });
  });

  it("keeps __proto__ as an ordinary (reserved-looking) name instead of touching prototypes", () => {
    const { items } = parseImport('{"__proto__": "x", "constructor": {"value": "y"}}', "json");
    expect(items).toEqual([
      { name: "__proto__", value: "x" },
      { name: "constructor", value: "y" },
    ]);
  });

  it.each([
    ["a number value", { A: 42 }, 'import entry "A": entry must be a string value or an object'],
    ["a number in the value field", { A: { value: 42 } }, 'import entry "A": value must be a string'],
    ["a null entry", { A: null }, 'import entry "A": entry must be a string value or an object'],
    ["a missing value", { A: { tags: [] } }, 'import entry "A": value is required'],
    ["tags that are not a list", { A: { value: SECRET, tags: "prod" } }, 'import entry "A": tags must be a list'],
    ["an empty tag", { A: { value: SECRET, tags: ["ok", ""] } }, "tags entry 2 must be a non-empty string"],
    ["a numeric description", { A: { value: SECRET, description: 5 } }, "description must be a string"],
    ["a too long description", { A: { value: SECRET, description: "d".repeat(1025) } }, "at most 1024"],
    ["a bad expiry", { A: { value: SECRET, expiresAt: "2025-02-30" } }, "expiresAt must be an ISO 8601 date"],
    ["an expiry without a zone", { A: { value: SECRET, expiresAt: "2025-12-31T10:00" } }, "expiresAt must be"],
    ["a string ttl", { A: { value: SECRET, ttlSeconds: "3600" } }, "ttlSeconds must be a positive whole number"],
    ["a fractional ttl", { A: { value: SECRET, ttlSeconds: 1.5 } }, "ttlSeconds must be a positive whole number"],
    ["a zero ttl", { A: { value: SECRET, ttlSeconds: 0 } }, "ttlSeconds must be a positive whole number"],
    ["an unknown encoding", { A: { value: SECRET, encoding: "hex" } }, 'encoding must be "utf-8" or "base64"'],
    ["invalid base64", { A: { value: SECRET, encoding: "base64" } }, "value is not valid base64"],
    ["a bad name", { "bad name": SECRET }, 'secret name "bad name" must match'],
  ])("rejects %s, naming the entry and field but not the value", (_label, data, message) => {
    const err = importError(JSON.stringify(data), "json");
    expect(err.code).toBe("INVALID_ARGUMENT");
    expect(err.message).toContain(message);
    expect(JSON.stringify(err.toJSON())).not.toContain(SECRET);
  });

  it("lists the allowed fields when an unknown one appears", () => {
    const err = importError(JSON.stringify({ A: { value: SECRET, tag: ["x"], scope: "global" } }), "json");
    expect(err.message).toBe(
      'import entry "A": fields "tag", "scope" are not allowed; allowed fields: value, tags, description, expiresAt, ttlSeconds, encoding',
    );
    expect(err.details).toMatchObject({ name: "A" });
  });

  it("refuses a value over 64 KiB with TOO_LARGE", () => {
    const err = importError(JSON.stringify({ BIG: "x".repeat(64 * 1024 + 1) }), "json");
    expect(err.code).toBe("TOO_LARGE");
    expect(err.details.name).toBe("BIG");
  });

  it("reports invalid JSON by position without quoting the input", () => {
    const err = importError(`{"A": "${SECRET}",\n oops}`, "json");
    expect(err.code).toBe("INVALID_ARGUMENT");
    expect(err.message).toMatch(/^import file is not valid JSON/);
    expect(err.message).not.toContain(SECRET);
    expect(err.message).not.toContain("oops");
  });

  it("requires an object at the top level", () => {
    for (const text of ["[]", '"x"', "null", "3"]) {
      expect(importError(text, "json").message).toContain("must hold a JSON object");
    }
    expect(parseImport("{}", "json")).toEqual({ items: [], warnings: [] });
  });

  it("rejects an unknown format", () => {
    expect(importError("{}", "toml" as ImportFormat).message).toContain('"toml" is not one of env, json, yaml');
  });
});

describe("parseImport: yaml", () => {
  it("reads the same shape, keeping scalars exactly as written", () => {
    const text = [
      "# secrets",
      "PIN: 0123",
      "FLAG: true",
      "NOTHING: null",
      "KEY: |",
      "  -----BEGIN KEY-----",
      "  abc",
      "  -----END KEY-----",
      "api-token:",
      "  value: 'token_xyz'",
      "  tags: [production, api]",
      "  expiresAt: 2025-12-31T23:59:00+01:00",
      "  ttlSeconds: 86400",
      "  description: Token for the API",
    ].join("\n");
    expect(parseImport(text, "yaml").items).toEqual([
      { name: "PIN", value: "0123" },
      { name: "FLAG", value: "true" },
      { name: "NOTHING", value: "null" },
      { name: "KEY", value: "-----BEGIN KEY-----\nabc\n-----END KEY-----\n" },
      {
        name: "api-token",
        value: "token_xyz",
        tags: ["production", "api"],
        expiresAt: "2025-12-31T22:59:00.000Z",
        ttlSeconds: 86400,
        description: "Token for the API",
      },
    ]);
  });

  it("treats an empty document as no secrets and flags empty values", () => {
    expect(parseImport("# nothing here\n", "yaml")).toEqual({ items: [], warnings: [] });
    expect(parseImport("A:\n", "yaml").warnings.map((w) => w.code)).toEqual(["EMPTY_VALUE"]);
  });

  it.each([
    ["custom tags", `A: !!python/object ${SECRET}\n`, "YAML tags are not supported at line 1"],
    ["local tags", `A: !secret ${SECRET}\n`, "YAML tags are not supported"],
    ["duplicate keys", `A: ${SECRET}\nA: other\n`, "duplicate key at line 2"],
    ["several documents", `A: ${SECRET}\n---\nB: x\n`, "only one YAML document"],
    ["syntax errors", `A: "${SECRET}\n`, "YAML syntax error"],
    ["a list at the top", `- ${SECRET}\n`, "must hold a YAML mapping"],
    ["a scalar at the top", `${SECRET}\n`, "must hold a YAML mapping"],
    ["a non-string key", `? [a, b]\n: ${SECRET}\n`, "YAML syntax error (NON_STRING_KEY)"],
    ["a list value", `A: [${SECRET}]\n`, "entry must be a string value or an object"],
    ["a non-numeric ttl", `A:\n  value: x\n  ttlSeconds: soon\n`, "ttlSeconds must be a positive whole number"],
  ])("rejects %s without quoting the value", (_label, text, message) => {
    const err = importError(text, "yaml");
    expect(err.code).toBe("INVALID_ARGUMENT");
    expect(err.message).toContain(message);
    expect(JSON.stringify(err.toJSON())).not.toContain(SECRET);
  });

  it("bounds alias expansion (billion laughs)", () => {
    const lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 8; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      lines.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(", ")}]`);
    }
    const err = importError(lines.join("\n"), "yaml");
    expect(err.message).toContain("aliases expand too much");
  });
});

describe("detectImportFormat", () => {
  it.each([
    ["secrets.json", "", "json"],
    ["config.YAML", "", "yaml"],
    ["config.yml", "", "yaml"],
    [".env", "", "env"],
    ["/app/.env.production", "", "env"],
    ["C:\\app\\prod.env", "", "env"],
    ["stdin", '  {"A": "x"}', "json"],
    [undefined, "# comment\n\nexport A=1\n", "env"],
    ["secrets.txt", "\uFEFFA = 1", "env"],
    ["secrets.txt", "# c\napi-token:\n  value: x\n", "yaml"],
    ["secrets.txt", "---\nA: b\n", "yaml"],
    ["secrets.txt", '"quoted key": v\n', "yaml"],
  ])("detects %s as the right format", (fileName, text, format) => {
    expect(detectImportFormat(fileName, text)).toBe(format);
  });

  it("asks for an explicit format when nothing tells", () => {
    expect(() => detectImportFormat("notes.txt", "just some words\n")).toThrow(/cannot tell the import format/);
    expect(() => detectImportFormat(undefined, "")).toThrow(CofferError);
  });
});

describe("normalizeExpiry", () => {
  it("accepts dates and zoned date-times and refuses impossible ones", () => {
    expect(normalizeExpiry("2024-02-29")).toBe("2024-02-29T00:00:00.000Z");
    expect(normalizeExpiry("2025-06-01T12:30:15.5Z")).toBe("2025-06-01T12:30:15.500Z");
    expect(normalizeExpiry("2025-06-01T12:30-02:00")).toBe("2025-06-01T14:30:00.000Z");
    for (const bad of [
      "2025-02-29",
      "2025-13-01",
      "2025-12-31T24:00Z",
      "2025-12-31T10:00",
      "31/12/2025",
      "2025-12-31 ",
    ]) {
      expect(normalizeExpiry(bad)).toBeUndefined();
    }
  });
});

const stamp = "2025-12-01T10:30:00.000Z";
function item(overrides: Partial<ExportItem> & { name: string }): ExportItem {
  return { scope: { kind: "global" }, version: 1, provider: "local", createdAt: stamp, updatedAt: stamp, ...overrides };
}

const ITEMS: ExportItem[] = [
  item({
    name: "api-key-stripe",
    version: 3,
    tags: ["production", "stripe"],
    description: 'Stripe, "live", key',
    value: SECRET,
  }),
  item({
    name: "db/password",
    scope: { kind: "project", id: "/srv/app" },
    env: "prod",
    expiresAt: "2026-01-01T00:00:00.000Z",
    ttlSeconds: 3600,
    value: "line1\nline2",
  }),
];

describe("formatExport: metadata only", () => {
  it("never writes values, whatever the format", () => {
    for (const format of ["json", "yaml", "csv", "env"] as const) {
      const text = formatExport(ITEMS, format, { includeValues: false });
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain("line1");
    }
  });

  it("writes json as a list of metadata records", () => {
    expect(JSON.parse(formatExport(ITEMS, "json", { includeValues: false }))).toEqual([
      {
        name: "api-key-stripe",
        scope: "global",
        version: 3,
        provider: "local",
        tags: ["production", "stripe"],
        description: 'Stripe, "live", key',
        createdAt: stamp,
        updatedAt: stamp,
      },
      {
        name: "db/password",
        scope: "project:/srv/app",
        env: "prod",
        version: 1,
        provider: "local",
        createdAt: stamp,
        updatedAt: stamp,
        expiresAt: "2026-01-01T00:00:00.000Z",
        ttlSeconds: 3600,
      },
    ]);
  });

  it("writes yaml as the same records", () => {
    const text = formatExport(ITEMS, "yaml", { includeValues: false });
    expect(text).toContain("- name: api-key-stripe\n  scope: global\n  version: 3\n");
    expect(text).toContain("  scope: project:/srv/app\n  env: prod\n");
  });

  it("writes csv with quoting where needed", () => {
    expect(formatExport(ITEMS, "csv", { includeValues: false })).toBe(
      "name,scope,env,version,provider,encoding,tags,description,createdAt,updatedAt,expiresAt,ttlSeconds\r\n" +
        `api-key-stripe,global,,3,local,utf-8,"production,stripe","Stripe, ""live"", key",${stamp},${stamp},,\r\n` +
        `db/password,project:/srv/app,prod,1,local,utf-8,,,${stamp},${stamp},2026-01-01T00:00:00.000Z,3600\r\n`,
    );
  });

  it("writes env as a template with descriptions as comments", () => {
    const text = formatExport(
      [item({ name: "api-key", description: "first\nsecond" }), item({ name: "db/password" })],
      "env",
      {
        includeValues: false,
      },
    );
    expect(text).toBe("# first\n# second\nAPI_KEY=\nDB_PASSWORD=\n");
  });
});

describe("formatExport: with values", () => {
  it("writes json/yaml in the import shape", () => {
    expect(JSON.parse(formatExport(ITEMS, "json", { includeValues: true }))).toEqual({
      "api-key-stripe": { value: SECRET, tags: ["production", "stripe"], description: 'Stripe, "live", key' },
      "db/password": { value: "line1\nline2", expiresAt: "2026-01-01T00:00:00.000Z", ttlSeconds: 3600 },
    });
  });

  it("writes env through formatDotenv with env var names", () => {
    const text = formatExport(ITEMS, "env", { includeValues: true });
    expect(text).toBe(`API_KEY_STRIPE=${SECRET}\nDB_PASSWORD="line1\\nline2"\n`);
    expect(parseDotenv(text).entries.map((e) => e.value)).toEqual([SECRET, "line1\nline2"]);
  });

  it("writes csv with a quoted value column", () => {
    const lines = formatExport(ITEMS, "csv", { includeValues: true }).split("\r\n");
    expect(lines[0]!.endsWith(",ttlSeconds,value")).toBe(true);
    expect(lines[1]!.endsWith(`,${SECRET}`)).toBe(true);
    expect(lines[2]).toBe(
      `db/password,project:/srv/app,prod,1,local,utf-8,,,${stamp},${stamp},2026-01-01T00:00:00.000Z,3600,"line1\nline2"`,
    );
    expect(lines[3]).toBe("");
  });

  it("keeps a __proto__ name as an ordinary key in json", () => {
    const text = formatExport([item({ name: "__proto__", value: "v" })], "json", { includeValues: true });
    expect(text).toBe('{\n  "__proto__": {\n    "value": "v"\n  }\n}\n');
    expect(parseImport(text, "json").items).toEqual([{ name: "__proto__", value: "v" }]);
  });

  it("refuses what a file cannot hold faithfully", () => {
    const twice = [item({ name: "A", value: "1" }), item({ name: "A", env: "prod", value: "2" })];
    for (const format of ["json", "yaml", "env"] as const) {
      expect(exportError(twice, format, true).message).toContain('"A" appears more than once');
    }
    expect(
      exportError([item({ name: "a-b", value: "1" }), item({ name: "a.b", value: "2" })], "env", true).message,
    ).toContain("both map to the variable A_B");
    expect(exportError([item({ name: "BLOB", value: "AAEC", encoding: "base64" })], "env", true).message).toContain(
      "binary (base64)",
    );
    expect(exportError([item({ name: "WRITE_ONLY" })], "json", true).message).toContain("no value was supplied");
    expect(exportError(ITEMS, "xml" as "json", false).message).toContain('"xml" is not one of json, yaml, csv, env');
  });

  const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_./-]{0,30}$/).filter((n) => {
    try {
      parseImport(JSON.stringify({ [n]: "x" }), "json");
      return true;
    } catch {
      return false;
    }
  });
  const exportItem = fc.record(
    {
      name,
      value: fc.oneof(
        fc.string({ unit: "binary" }),
        fc.string({
          unit: fc.constantFrom("\n", "\r", " ", "\t", "'", '"', "#", ":", "-", "a", "0", "|", ">", "\uFEFF", "\u2028"),
        }),
      ),
      tags: fc.array(
        fc.string({ minLength: 1 }).filter((t) => t.trim() !== ""),
        { maxLength: 3 },
      ),
      description: fc.string({ maxLength: 50 }),
      expiresAt: fc
        .date({ min: new Date("2000-01-01"), max: new Date("2200-01-01"), noInvalidDate: true })
        .map((d) => d.toISOString()),
      ttlSeconds: fc.integer({ min: 1, max: 1e9 }),
    },
    { requiredKeys: ["name", "value"] },
  );

  for (const format of ["json", "yaml"] as const) {
    it(`round-trips export -> import through ${format} (property)`, () => {
      fc.assert(
        fc.property(fc.uniqueArray(exportItem, { selector: (i) => i.name, maxLength: 6 }), (records) => {
          const items = records.map((r) => item({ ...r }));
          const { items: back } = parseImport(formatExport(items, format, { includeValues: true }), format);
          const expected = records.map((r) => {
            const out: Record<string, unknown> = { name: r.name, value: r.value };
            if (r.tags !== undefined && r.tags.length > 0) out.tags = r.tags;
            for (const key of ["description", "expiresAt", "ttlSeconds"] as const)
              if (r[key] !== undefined) out[key] = r[key];
            return out;
          });
          expect(back).toEqual(expected);
        }),
        { numRuns: 300 },
      );
    });
  }
});

describe("formatExport: whitespace next to line breaks survives yaml", () => {
  it.each([" \n", "\n ", "  lead", "trail  ", "a\n\n b ", "\t\n\t", "#x", "- item", "key: v"])(
    "round-trips %j",
    (value) => {
      const text = formatExport(
        [
          {
            name: "a",
            scope: { kind: "global" },
            version: 1,
            provider: "local",
            createdAt: "2025-01-01T00:00:00.000Z",
            updatedAt: "2025-01-01T00:00:00.000Z",
            value,
          },
        ],
        "yaml",
        { includeValues: true },
      );
      expect(parseImport(text, "yaml").items).toEqual([{ name: "a", value }]);
    },
  );
});
