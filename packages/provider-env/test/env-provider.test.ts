import { CofferError, type Provider, type SecretAddress } from "@coffer/core";
import { afterEach, describe, expect, it } from "vitest";
import { ENV_PROVIDER_READ_ONLY_MESSAGE, env } from "../src/index.js";

const at = (name: string, extra: Partial<SecretAddress> = {}): SecretAddress => ({
  name,
  scope: { kind: "global" },
  ...extra,
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(CofferError);
    return (err as CofferError).code;
  }
  throw new Error("expected the call to fail");
}

async function listAll(provider: Provider, prefix?: string, limit?: number): Promise<string[]> {
  const names: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await provider.list!({ prefix, limit, cursor });
    names.push(...page.items.map((item) => item.name));
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return names;
}

describe("env provider: reading", () => {
  it("reads api-key-stripe from COFFER_SECRET_API_KEY_STRIPE as version 1 utf-8 text", async () => {
    const before = Date.now();
    const provider = env({ source: { COFFER_SECRET_API_KEY_STRIPE: "sk_test_abc=123" } });
    const after = Date.now();
    const secret = await provider.get(at("api-key-stripe"));
    expect(secret).toMatchObject({
      name: "api-key-stripe",
      value: "sk_test_abc=123",
      version: 1,
      encoding: "utf-8",
      provider: "env",
      scope: { kind: "global" },
    });
    expect(secret.env).toBeUndefined();
    expect(secret.createdAt).toBe(secret.updatedAt);
    expect(Date.parse(secret.createdAt)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(secret.createdAt)).toBeLessThanOrEqual(after + 1);
    expect((await provider.get(at("api-key-stripe"), { version: 1 })).value).toBe("sk_test_abc=123");
  });

  it("maps names the way they are injected: openai/default_api_key -> COFFER_SECRET_OPENAI_DEFAULT_API_KEY", async () => {
    const provider = env({ source: { COFFER_SECRET_OPENAI_DEFAULT_API_KEY: "v" } });
    expect((await provider.get(at("openai/default_api_key"))).value).toBe("v");
    expect((await provider.get(at("OPENAI_DEFAULT_API_KEY"))).value).toBe("v");
  });

  it("reads the source at call time, so later changes are seen", async () => {
    const source: Record<string, string | undefined> = {};
    const provider = env({ source });
    expect(await codeOf(provider.get(at("token")))).toBe("NOT_FOUND");
    source.COFFER_SECRET_TOKEN = "first";
    expect((await provider.get(at("token"))).value).toBe("first");
    source.COFFER_SECRET_TOKEN = "second";
    expect((await provider.get(at("token"))).value).toBe("second");
    delete source.COFFER_SECRET_TOKEN;
    expect(await codeOf(provider.get(at("token")))).toBe("NOT_FOUND");
  });

  it("treats a variable set to the empty string as present", async () => {
    const provider = env({ source: { COFFER_SECRET_EMPTY: "" } });
    expect((await provider.get(at("empty"))).value).toBe("");
  });

  it("names the variables it looked in when a secret is missing", async () => {
    const provider = env({ source: {}, allowUnprefixed: true });
    await expect(provider.get(at("db-password"))).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: 'secret "db-password" not found in the env provider (looked for COFFER_SECRET_DB_PASSWORD, DB_PASSWORD)',
      details: { name: "db-password", provider: "env", variables: ["COFFER_SECRET_DB_PASSWORD", "DB_PASSWORD"] },
    });
  });

  it("has only global secrets, only the default state, only version 1", async () => {
    const provider = env({ source: { COFFER_SECRET_API_KEY: "v" } });
    expect(await codeOf(provider.get({ name: "api-key", scope: { kind: "project", id: "/repo" } }))).toBe("NOT_FOUND");
    expect(await codeOf(provider.get({ name: "api-key", scope: { kind: "team", id: "acme" } }))).toBe("NOT_FOUND");
    expect(await codeOf(provider.get(at("api-key", { env: "prod" })))).toBe("NOT_FOUND");
    expect(await codeOf(provider.get(at("api-key"), { version: 2 }))).toBe("NOT_FOUND");
  });

  it("rejects an invalid name with INVALID_ARGUMENT", async () => {
    const provider = env({ source: {} });
    expect(await codeOf(provider.get(at("has space")))).toBe("INVALID_ARGUMENT");
    expect(await codeOf(provider.get(at("")))).toBe("INVALID_ARGUMENT");
  });

  it("reads this process's environment by default", async () => {
    process.env.COFFER_SECRET_PROVIDER_ENV_DEFAULT_SOURCE = "from-process-env";
    try {
      expect((await env().get(at("provider-env-default-source"))).value).toBe("from-process-env");
    } finally {
      delete process.env.COFFER_SECRET_PROVIDER_ENV_DEFAULT_SOURCE;
    }
  });
});

describe("env provider: options", () => {
  it("uses a custom prefix and instance name", async () => {
    const provider = env({
      name: "ci-env",
      prefix: "MYAPP_",
      source: { MYAPP_DB_URL: "postgres://x", COFFER_SECRET_DB_URL: "no" },
    });
    const secret = await provider.get(at("db-url"));
    expect(secret.value).toBe("postgres://x");
    expect(secret.provider).toBe("ci-env");
    expect(provider.name).toBe("ci-env");
    expect(provider.kind).toBe("env");
  });

  it("with uppercaseNames false appends the name verbatim", async () => {
    const provider = env({
      uppercaseNames: false,
      source: { "COFFER_SECRET_api-key": "verbatim", COFFER_SECRET_API_KEY: "uppercased" },
    });
    expect((await provider.get(at("api-key"))).value).toBe("verbatim");
    expect((await provider.get(at("API_KEY"))).value).toBe("uppercased");
    expect(await listAll(provider)).toEqual(["API_KEY", "api-key"]);
  });

  it("reads bare variables only with allowUnprefixed, and the prefixed variable wins", async () => {
    const source = { STRIPE_KEY: "bare", COFFER_SECRET_GITHUB_TOKEN: "prefixed", GITHUB_TOKEN: "bare-github" };
    expect(await codeOf(env({ source }).get(at("stripe-key")))).toBe("NOT_FOUND");
    const open = env({ source, allowUnprefixed: true });
    expect((await open.get(at("stripe-key"))).value).toBe("bare");
    expect((await open.get(at("github-token"))).value).toBe("prefixed");
    expect(await listAll(open)).toEqual(["GITHUB_TOKEN"]);
  });

  it("rejects unknown options and bad values with CONFIG", () => {
    expect(() => env({ prefx: "X_" } as never)).toThrow(
      'unknown env provider option "prefx"; valid options are: name, prefix, uppercaseNames, allowUnprefixed, source',
    );
    expect(() => env({ allowUnprefixed: "yes" } as never)).toThrow(
      "env provider option allowUnprefixed must be true or false",
    );
    const invalid: unknown[] = [
      { prefix: "" },
      { prefix: "MY-APP_" },
      { prefix: "A B" },
      { name: "" },
      { uppercaseNames: 1 },
    ];
    for (const options of invalid as Parameters<typeof env>[0][]) {
      expect(() => env(options)).toThrow(CofferError);
      try {
        env(options);
      } catch (err) {
        expect((err as CofferError).code).toBe("CONFIG");
      }
    }
  });
});

describe("env provider: Coffer's internal variables are never exposed", () => {
  const source = {
    COFFER_MASTER_KEY: "master-key-material",
    COFFER_HOME: "/home/me/.coffer",
    coffer_master_key: "lowercase-master-key",
    COFFER_SECRET_VISIBLE: "visible",
  };

  it("refuses a prefix that reaches COFFER_* variables", () => {
    for (const prefix of ["COFFER_", "coffer_", "COFFER_MASTER_"]) {
      expect(() => env({ prefix, source })).toThrow(/would expose Coffer's internal COFFER_\* variables/);
    }
    expect(() => env({ prefix: "COFFER_SECRET_PROD_", source })).not.toThrow();
  });

  it("never reads COFFER_MASTER_KEY, even with allowUnprefixed", async () => {
    const provider = env({ source, allowUnprefixed: true });
    for (const name of ["COFFER_MASTER_KEY", "coffer_master_key", "coffer-master-key", "COFFER_HOME"]) {
      const err = await provider.get(at(name)).then(
        () => undefined,
        (e: unknown) => e as CofferError,
      );
      expect(err).toBeInstanceOf(CofferError);
      expect(["INVALID_ARGUMENT", "NOT_FOUND"]).toContain(err!.code);
      expect(err!.message).not.toContain("master-key-material");
    }
    const many = await provider.getMany!([at("COFFER_MASTER_KEY"), at("visible")]);
    expect(many[0]!.ok).toBe(false);
    expect(many[1]).toMatchObject({ ok: true, secret: { value: "visible" } });
  });

  it("skips internal variables even when a prefix could reach them through the name", async () => {
    const provider = env({ prefix: "COFFER", allowUnprefixed: true, source: { ...source, COFFERX: "x" } });
    expect(await codeOf(provider.get(at("_MASTER_KEY")))).toBe("NOT_FOUND");
    expect(await listAll(provider)).toEqual(["X", "_SECRET_VISIBLE"]);
  });

  it("lists only prefixed secret variables", async () => {
    const provider = env({ source, allowUnprefixed: true });
    expect(await listAll(provider)).toEqual(["VISIBLE"]);
    const health = await provider.health!();
    expect(health).toMatchObject({ ok: true, message: "1 COFFER_SECRET_* variable visible" });
  });
});

describe("env provider: listing", () => {
  const source: Record<string, string> = {
    COFFER_SECRET_B_TOKEN: "b",
    COFFER_SECRET_A_TOKEN: "a",
    COFFER_SECRET_API_KEY: "k",
    COFFER_SECRET_lowercase: "unreachable with uppercaseNames",
    COFFER_SECRET_9LIVES: "not a valid secret name",
    COFFER_SECRET_: "no name",
    HOME: "/home/me",
  };

  it("lists the env-var-style names after the prefix, sorted, without values", async () => {
    const provider = env({ source });
    const page = await provider.list!();
    expect(page.items.map((item) => item.name)).toEqual(["API_KEY", "A_TOKEN", "B_TOKEN"]);
    expect(page.nextCursor).toBeUndefined();
    for (const item of page.items) {
      expect(item).not.toHaveProperty("value");
      expect(item).toMatchObject({ version: 1, encoding: "utf-8", provider: "env", scope: { kind: "global" } });
    }
    for (const name of page.items.map((item) => item.name)) {
      expect((await provider.get(at(name))).value).toBe(source[`COFFER_SECRET_${name}`]);
    }
  });

  it("pages with limit and cursor, each name exactly once", async () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 23; i++) many[`COFFER_SECRET_K${String(i).padStart(2, "0")}`] = `v${i}`;
    const provider = env({ source: many });
    const first = await provider.list!({ limit: 10 });
    expect(first.items).toHaveLength(10);
    expect(first.nextCursor).toEqual(expect.any(String));
    const names = await listAll(provider, undefined, 10);
    expect(names).toEqual(
      Object.keys(many)
        .map((v) => v.slice("COFFER_SECRET_".length))
        .sort(),
    );
  });

  it("filters by name prefix, also when given in secret-name form", async () => {
    const provider = env({ source });
    expect(await listAll(provider, "A_")).toEqual(["A_TOKEN"]);
    expect(await listAll(provider, "api-")).toEqual(["API_KEY"]);
    expect(await listAll(provider, "ZZZ")).toEqual([]);
  });

  it("lists nothing for another scope", async () => {
    const page = await env({ source }).list!({ scope: { kind: "project", id: "/repo" } });
    expect(page).toEqual({ items: [] });
  });

  it("rejects a bad limit or a foreign cursor with INVALID_ARGUMENT", async () => {
    const provider = env({ source });
    expect(await codeOf(provider.list!({ limit: 0 }))).toBe("INVALID_ARGUMENT");
    expect(await codeOf(provider.list!({ limit: 2.5 }))).toBe("INVALID_ARGUMENT");
    expect(await codeOf(provider.list!({ cursor: "not-a-cursor" }))).toBe("INVALID_ARGUMENT");
  });
});

describe("env provider: read-only", () => {
  it("declares itself read-only, global only, listable", () => {
    const provider = env({ source: {} });
    expect(provider.capabilities).toEqual({
      write: false,
      delete: false,
      softDelete: false,
      purge: false,
      list: true,
      versions: false,
      conditionalWrite: false,
      binary: false,
      metadata: false,
      envs: false,
      scopes: ["global"],
      remote: false,
    });
    expect(provider.restore).toBeUndefined();
    expect(provider.purge).toBeUndefined();
    expect(provider.history).toBeUndefined();
  });

  it("refuses set and delete with UNSUPPORTED, pointing at another provider, and changes nothing", async () => {
    const source = { COFFER_SECRET_API_KEY: "original" };
    const provider = env({ source });
    await expect(provider.set!(at("api-key"), { value: "new-value-123" })).rejects.toMatchObject({
      code: "UNSUPPORTED",
      message: ENV_PROVIDER_READ_ONLY_MESSAGE,
    });
    await expect(provider.delete!({ name: "api-key", scope: { kind: "global" } })).rejects.toMatchObject({
      code: "UNSUPPORTED",
      message: "the env provider is read-only; write to another provider (for example --provider local)",
    });
    expect(source.COFFER_SECRET_API_KEY).toBe("original");
    expect((await provider.get(at("api-key"))).value).toBe("original");
  });
});

describe("env provider: getMany", () => {
  it("returns results aligned with the addresses", async () => {
    const provider = env({ source: { COFFER_SECRET_ONE: "1", COFFER_SECRET_TWO: "2" } });
    const results = await provider.getMany!([at("one"), at("missing"), at("two"), at("one", { env: "prod" })]);
    expect(results.map((r) => (r.ok ? r.secret.value : r.error.code))).toEqual(["1", "NOT_FOUND", "2", "NOT_FOUND"]);
  });
});

afterEach(() => {
  delete process.env.COFFER_SECRET_PROVIDER_ENV_DEFAULT_SOURCE;
});
