import { describe, expect, it } from "vitest";
import {
  CofferError,
  mapToEnvVars,
  matchesGlob,
  toEnvVarName,
  validateEnvName,
  validateSecretName,
} from "../src/index.js";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as CofferError).code;
  }
  return undefined;
}

describe("secret names", () => {
  it("accepts the documented examples under the default rule", () => {
    for (const n of ["STRIPE_SECRET_KEY", "api-key-stripe", "openai/default_api_key", "_private", "a.b-c_d/e"]) {
      expect(validateSecretName(n)).toBe(n);
    }
  });

  it("rejects bad names with INVALID_ARGUMENT quoting the name and the rule", () => {
    try {
      validateSecretName("foo bar");
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(CofferError);
      expect((err as CofferError).code).toBe("INVALID_ARGUMENT");
      expect((err as CofferError).message).toBe(
        'secret name "foo bar" must match [A-Za-z_][A-Za-z0-9_./-]* (1-128 characters)',
      );
    }
    for (const bad of ["", "1abc", "-x", "a".repeat(129), "a//b", "a/../b", "a/", "naïve", "x\ny"]) {
      expect(codeOf(() => validateSecretName(bad))).toBe("INVALID_ARGUMENT");
    }
    expect(codeOf(() => validateSecretName(42 as unknown as string))).toBe("INVALID_ARGUMENT");
  });

  it("accepts exactly 128 characters", () => {
    expect(validateSecretName(`a${"b".repeat(127)}`)).toHaveLength(128);
  });

  it("reserves the COFFER_ prefix in any case", () => {
    expect(() => validateSecretName("COFFER_X")).toThrow('secret name "COFFER_X" is reserved (COFFER_* is internal)');
    expect(codeOf(() => validateSecretName("coffer_x"))).toBe("INVALID_ARGUMENT");
  });

  it("applies the strict env-style rule when switched on", () => {
    expect(validateSecretName("NPM_TOKEN", "env")).toBe("NPM_TOKEN");
    expect(() => validateSecretName("api-key", "env")).toThrow('secret name "api-key" must match [A-Z][A-Z0-9_]*');
    expect(codeOf(() => validateSecretName("_X", "env"))).toBe("INVALID_ARGUMENT");
  });

  it("maps names to env var names and reports collisions instead of merging", () => {
    expect(toEnvVarName("api-key-stripe")).toBe("API_KEY_STRIPE");
    expect(toEnvVarName("openai/default_api_key")).toBe("OPENAI_DEFAULT_API_KEY");
    const { mapping, collisions } = mapToEnvVars(["api-key", "API_KEY", "api.key", "other"]);
    expect(mapping.get("other")).toBe("OTHER");
    expect(mapping.has("api-key")).toBe(false);
    expect(collisions).toEqual([{ envVar: "API_KEY", names: ["API_KEY", "api-key", "api.key"] }]);
  });

  it("validates env names", () => {
    expect(validateEnvName("prod")).toBe("prod");
    expect(codeOf(() => validateEnvName("default"))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => validateEnvName("pr od"))).toBe("INVALID_ARGUMENT");
  });

  it("matches globs", () => {
    expect(matchesGlob("api-key-stripe", "api-key-*")).toBe(true);
    expect(matchesGlob("db-password", "api-*")).toBe(false);
    expect(matchesGlob("a.b", "a?b")).toBe(true);
    expect(matchesGlob("a.b", "a.c")).toBe(false);
  });
});
