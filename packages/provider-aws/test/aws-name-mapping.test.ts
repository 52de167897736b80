import { CofferError, type ScopeRef, type SecretAddress } from "@coffer/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  awsSecretName,
  awsSecretsManager,
  hashScopeId,
  parseAwsSecretName,
  versionOfToken,
  versionToken,
} from "../src/index.js";
import {
  chunkTag,
  decodeTagList,
  decodeTagText,
  encodeTagList,
  encodeTagText,
  readChunkedTag,
} from "../src/metadata/tag-codec.js";
import { scopeOfParsedName } from "../src/naming/aws-secret-name.js";

const PREFIX = "coffer/";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof CofferError ? err.code : "not-a-coffer-error";
  }
}

const nameSegment = fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/);
const cofferName = fc.array(nameSegment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join("/"));
const envName = fc.option(
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,15}$/).filter((e) => e !== "default"),
  {
    nil: undefined,
  },
);
const scope: fc.Arbitrary<ScopeRef> = fc.oneof(
  fc.constant<ScopeRef>({ kind: "global" }),
  fc.string({ minLength: 1, maxLength: 40 }).map((id): ScopeRef => ({ kind: "project", id: `/home/u/${id}` })),
  fc
    .tuple(
      fc.constantFrom("team", "org", "user", "agent", "plugin" as const),
      fc.string({ minLength: 1, maxLength: 30 }),
    )
    .map(([kind, id]): ScopeRef => ({ kind, id })),
);
const address: fc.Arbitrary<SecretAddress> = fc
  .tuple(cofferName, scope, envName)
  .map(([name, s, env]) => (env === undefined ? { name, scope: s } : { name, scope: s, env }));

describe("AWS name mapping", () => {
  it("follows the documented scheme", () => {
    expect(awsSecretName(PREFIX, { name: "DB_URL", scope: { kind: "global" } })).toBe("coffer/global/DB_URL");
    expect(awsSecretName(PREFIX, { name: "openai/api_key", scope: { kind: "global" }, env: "prod" })).toBe(
      "coffer/global/openai/api_key@prod",
    );
    const root = "/home/me/projects/shop";
    expect(awsSecretName(PREFIX, { name: "STRIPE", scope: { kind: "project", id: root } })).toBe(
      `coffer/project/${hashScopeId(root)}/STRIPE`,
    );
    expect(hashScopeId(root)).toMatch(/^[0-9a-f]{16}$/);
    expect(awsSecretName(PREFIX, { name: "K", scope: { kind: "team", id: "acme" } })).toBe("coffer/team/acme/K");
    expect(awsSecretName(PREFIX, { name: "K", scope: { kind: "user", id: "Jane Doe" } })).toBe(
      `coffer/user/=${hashScopeId("Jane Doe")}/K`,
    );
  });

  it("round-trips name, env and scope through the AWS name", () => {
    fc.assert(
      fc.property(address, (addr) => {
        const awsName = awsSecretName(PREFIX, addr);
        expect(awsName).toMatch(/^[A-Za-z0-9/_+=.@-]{1,512}$/);
        const parsed = parseAwsSecretName(PREFIX, awsName);
        expect(parsed).toBeDefined();
        expect(parsed!.name).toBe(addr.name);
        expect(parsed!.env).toBe(addr.env);
        expect(scopeOfParsedName(parsed!, addr.scope)).toEqual(
          addr.scope.kind === "global" ? { kind: "global" } : { kind: addr.scope.kind, id: addr.scope.id },
        );
      }),
      { numRuns: 500 },
    );
  });

  it("never maps two different addresses to the same AWS name", () => {
    fc.assert(
      fc.property(address, address, (a, b) => {
        const same =
          a.name === b.name &&
          a.env === b.env &&
          a.scope.kind === b.scope.kind &&
          (a.scope.kind === "global" || a.scope.id === b.scope.id);
        if (!same) expect(awsSecretName(PREFIX, a)).not.toBe(awsSecretName(PREFIX, b));
      }),
      { numRuns: 2000 },
    );
  });

  it("keeps names that only look alike apart", () => {
    const names = [
      awsSecretName(PREFIX, { name: "a/b", scope: { kind: "global" } }),
      awsSecretName(PREFIX, { name: "b", scope: { kind: "team", id: "a" } }),
      awsSecretName(PREFIX, { name: "team/a/b", scope: { kind: "global" } }),
      awsSecretName(PREFIX, { name: "a", scope: { kind: "global" }, env: "b" }),
      awsSecretName(PREFIX, { name: "a.b", scope: { kind: "global" } }),
      awsSecretName(PREFIX, { name: "a", scope: { kind: "global" } }),
      awsSecretName(PREFIX, { name: "K", scope: { kind: "team", id: `=${hashScopeId("x y")}` } }),
      awsSecretName(PREFIX, { name: "K", scope: { kind: "team", id: "x y" } }),
    ];
    expect(new Set(names).size).toBe(names.length);
  });

  it("rejects before any call what AWS cannot hold, with INVALID_ARGUMENT", () => {
    const g = { kind: "global" } as const;
    expect(codeOf(() => awsSecretName(PREFIX, { name: "has space", scope: g }))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => awsSecretName(PREFIX, { name: "a@b", scope: g }))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => awsSecretName(PREFIX, { name: "a+b", scope: g }))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => awsSecretName(PREFIX, { name: "a//b", scope: g }))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => awsSecretName(PREFIX, { name: "/a", scope: g }))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => awsSecretName(PREFIX, { name: "ok", scope: g, env: "a@b" }))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => awsSecretName(PREFIX, { name: "ok", scope: { kind: "team" } }))).toBe("INVALID_ARGUMENT");
    const longPrefix = `${"p".repeat(255)}/`;
    const name = "n".repeat(128);
    expect(codeOf(() => awsSecretName(longPrefix, { name, scope: g }))).toBeUndefined();
    expect(codeOf(() => awsSecretName(longPrefix, { name: `${name}/${name}`, scope: g }))).toBe("INVALID_ARGUMENT");
    try {
      awsSecretName(longPrefix, { name: `${name}/${name}`, scope: g, env: "prod" });
    } catch (err) {
      expect((err as Error).message).toMatch(
        /too long for AWS Secrets Manager: it maps to \d+ characters \(at most 512\)/,
      );
    }
  });

  it("ignores names under the prefix that do not follow the scheme", () => {
    for (const raw of [
      "coffer/x",
      "coffer/nokind/A",
      "coffer/project/nothex/A",
      "coffer/global/a b",
      "other/global/A",
      "coffer/global/A@",
    ]) {
      expect(parseAwsSecretName(PREFIX, raw)).toBeUndefined();
    }
  });
});

describe("version tokens", () => {
  it("are valid ClientRequestTokens that carry the number of this secret only", () => {
    for (const n of [1, 2, 99, 1_000_000]) {
      const token = versionToken("coffer/global/A", n);
      expect(token.length).toBeGreaterThanOrEqual(32);
      expect(token.length).toBeLessThanOrEqual(64);
      expect(versionOfToken("coffer/global/A", token)).toBe(n);
      expect(versionOfToken("coffer/global/B", token)).toBeUndefined();
    }
    expect(versionToken("coffer/global/A", 3)).toBe(versionToken("coffer/global/A", 3));
    expect(versionOfToken("coffer/global/A", "3f1c2a9e-0000-4000-8000-000000000000")).toBeUndefined();
  });
});

describe("tag value codec", () => {
  const AWS_TAG_VALUE = /^[\p{L}\p{N} _.:/=+@-]{0,256}$/u;

  it("round-trips any text and only produces values AWS accepts", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 700 }), (text) => {
        const encoded = encodeTagText(text);
        const chunks = chunkTag("coffer:x", encoded);
        for (const [, value] of chunks) expect(value).toMatch(AWS_TAG_VALUE);
        expect(decodeTagText(readChunkedTag(new Map(chunks), "coffer:x")!)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it("keeps plain text readable and lists round-trip", () => {
    expect(encodeTagText("2030-01-01T00:00:00.000Z")).toBe("2030-01-01T00:00:00.000Z");
    expect(encodeTagList(["alpha", "beta-2"])).toBe("alpha beta-2");
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 20 }), { maxLength: 10 }), (items) => {
        expect(decodeTagList(encodeTagList(items))).toEqual(items);
      }),
    );
  });
});

describe("options", () => {
  it("rejects bad configuration with CONFIG and loads no SDK", () => {
    expect(codeOf(() => awsSecretsManager({ recoveryWindowDays: 3 }))).toBe("CONFIG");
    expect(codeOf(() => awsSecretsManager({ prefix: "bad prefix" }))).toBe("CONFIG");
    expect(codeOf(() => awsSecretsManager({ endpoint: "ftp://x" }))).toBe("CONFIG");
    expect(codeOf(() => awsSecretsManager({ maxRetries: -1 }))).toBe("CONFIG");
    expect(codeOf(() => awsSecretsManager({ credentials: { accessKeyId: "", secretAccessKey: "x" } }))).toBe("CONFIG");
    const provider = awsSecretsManager({ prefix: "team-a" });
    expect(provider.name).toBe("aws-secrets-manager");
    expect(provider.kind).toBe("aws-secrets-manager");
  });
});
