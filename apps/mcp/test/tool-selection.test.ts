import { describe, expect, it } from "vitest";
import { createTokenAuthenticator, hashToken, loadHttpTokens } from "../src/http-tokens.js";
import { ALL_TOOL_NAMES, CORE_TOOL_NAMES, selectTools } from "../src/tool-selection.js";

describe("tool selection", () => {
  it("defaults to all and understands core and comma lists", () => {
    expect(selectTools(undefined)).toEqual([...ALL_TOOL_NAMES]);
    expect(selectTools("core")).toEqual([...CORE_TOOL_NAMES]);
    expect(selectTools("audit_log, core")).toEqual([...CORE_TOOL_NAMES, "audit_log"]);
    expect(selectTools(["get_secret", "vault_secret"])).toEqual(["get_secret", "vault_secret"]);
  });

  it("rejects unknown names and empty selections", () => {
    expect(() => selectTools("core,nuke")).toThrow(/unknown tool "nuke"/);
    expect(() => selectTools(" , ")).toThrow(/empty/);
  });
});

describe("HTTP tokens", () => {
  const token = "cmcp_example_token";
  const entries = loadHttpTokens(
    { http: { tokens: [{ agentId: "ci-bot", tokenSha256: hashToken(token).toUpperCase() }] } },
    `other:${hashToken("second")}`,
  );

  it("maps a bearer token to its agent id and refuses anything else", () => {
    const authenticate = createTokenAuthenticator(entries);
    expect(authenticate(`Bearer ${token}`)).toBe("ci-bot");
    expect(authenticate("bearer second")).toBe("other");
    expect(authenticate(undefined)).toBeUndefined();
    expect(authenticate(token)).toBeUndefined();
    expect(authenticate(`Bearer ${token}x`)).toBeUndefined();
    expect(authenticate("Basic abc")).toBeUndefined();
  });

  it("rejects malformed entries with CONFIG errors", () => {
    expect(() => loadHttpTokens({ http: { tokens: [{ agentId: "x", tokenSha256: "abc" }] } }, undefined)).toThrow(
      /64 hex characters/,
    );
    expect(() => loadHttpTokens({ http: { tokens: "nope" } }, undefined)).toThrow(/must be a list/);
    expect(() => loadHttpTokens(undefined, "no-hash-here")).toThrow(/COFFER_MCP_TOKENS/);
  });
});
