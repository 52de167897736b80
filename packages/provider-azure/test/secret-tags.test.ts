import { isCofferError } from "@coffer/core";
import { describe, expect, it } from "vitest";
import { AZURE_MAX_TAG_VALUE, AZURE_MAX_TAGS, packCofferTags, parseCofferTags } from "../src/metadata/secret-tags.js";

describe("Coffer metadata in Azure tags", () => {
  it("round-trips identity, version and every attribute", () => {
    const input = {
      name: "API_KEY",
      scope: { kind: "team" as const, id: "acme" },
      env: "prod",
      version: 7,
      createdAt: "2025-01-02T03:04:05.000Z",
      attributes: {
        description: 'Stripe key, "live" ✓',
        tags: ["payments", "prod"],
        ttlSeconds: 3600,
        rotationFormat: "api-key" as const,
        rotationPrefix: "sk_live_",
        allowedAgentIds: ["agent-a"],
        writeOnly: true,
      },
      reason: "rotate",
    };
    const tags = packCofferTags(structuredClone(input));
    expect(tags["coffer-name"]).toBe("API_KEY");
    expect(tags["coffer-scope"]).toBe("team:acme");
    expect(tags["coffer-version"]).toBe("7");
    for (const value of Object.values(tags)) expect(value.length).toBeLessThanOrEqual(AZURE_MAX_TAG_VALUE);
    const parsed = parseCofferTags(tags);
    expect(parsed).toEqual(input);
  });

  it("splits a long description into 256-character tags without breaking characters", () => {
    const description = "🔑".repeat(300); // 600 UTF-16 units, 300 characters
    const tags = packCofferTags({ name: "x", scope: { kind: "global" }, version: 1, attributes: { description } });
    expect(Object.keys(tags).filter((key) => key.startsWith("coffer-description"))).toEqual([
      "coffer-description",
      "coffer-description-2",
      "coffer-description-3",
    ]);
    for (const value of Object.values(tags)) {
      expect(value.length).toBeLessThanOrEqual(AZURE_MAX_TAG_VALUE);
      expect(value).not.toMatch(/[\uD800-\uDBFF]$/);
    }
    expect(parseCofferTags(tags).attributes.description).toBe(description);
  });

  it("refuses metadata that needs more than 15 tags, saying so", () => {
    try {
      packCofferTags({
        name: "x",
        scope: { kind: "global" },
        version: 1,
        attributes: { description: "d".repeat(1024), tags: Array.from({ length: 200 }, (_, i) => `tag-${i}`) },
      });
      throw new Error("expected INVALID_ARGUMENT");
    } catch (err) {
      expect(isCofferError(err, "INVALID_ARGUMENT")).toBe(true);
      expect((err as Error).message).toContain(`at most ${AZURE_MAX_TAGS - 1} are available`);
    }
  });

  it("ignores foreign and malformed tags instead of failing", () => {
    expect(parseCofferTags({ environment: "prod", "coffer-version": "abc", "coffer-meta": "{oops" })).toEqual({
      attributes: {},
    });
    expect(parseCofferTags(undefined)).toEqual({ attributes: {} });
  });
});
