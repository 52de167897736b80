import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import {
  createPolicyEngine,
  DEFAULT_NAME_PATTERN,
  findTemplateReferences,
  formatReference,
  parseReference,
  renderTemplate,
  resolveDotenvReferences,
  resolveReferences,
  type SecretReference,
} from "../src/index.js";
import { agent, cleanup, governedCoffer, rejection, SENTINEL, user } from "./governance-support.js";

afterEach(cleanup);

describe("reference grammar", () => {
  it("parses a name, a pinned scope and a pinned env", () => {
    expect(parseReference("coffer://API_KEY")).toEqual({ name: "API_KEY" });
    expect(parseReference("coffer://openai/default_key?scope=team:acme&env=prod")).toEqual({
      name: "openai/default_key",
      scope: { kind: "team", id: "acme" },
      env: "prod",
    });
    expect(parseReference("coffer://api%2Dkey?env=dev&scope=project")).toEqual({
      name: "api-key",
      scope: { kind: "project" },
      env: "dev",
    });
    expect(parseReference("coffer://K?scope=global").scope).toEqual({ kind: "global" });
    expect(parseReference("coffer://K?scope=org:o1").scope).toEqual({ kind: "org", id: "o1" });
  });

  it.each([
    ["coffer://", "name"],
    ["coffer://has space", "%-encoded"],
    ["coffer://K?scope=user", "scope must be"],
    ["coffer://K?scope=team", "needs an id"],
    ["coffer://K?foo=1", "unknown parameter"],
    ["coffer://K?env=prod&env=dev", "given twice"],
    ["coffer://K?env", "no value"],
    ["coffer://%E0%A4%A", "malformed"],
    ["coffer://COFFER_MASTER", "reserved"],
    ["coffer://a/../b", "path segments"],
    ["https://K", "must start with"],
  ])("refuses %s with a coded error", (text, problem) => {
    try {
      parseReference(text);
      expect.unreachable();
    } catch (err) {
      expect((err as { code: string }).code).toBe("INVALID_ARGUMENT");
      expect((err as Error).message).toContain(problem);
    }
  });

  it("format and parse round-trip every valid reference", () => {
    const name = fc
      .stringMatching(DEFAULT_NAME_PATTERN)
      .filter((n) => !n.toUpperCase().startsWith("COFFER_") && !n.includes("//") && !n.endsWith("/"))
      .filter((n) => !n.split("/").some((p) => p === "." || p === ".."));
    const scope = fc.oneof(
      fc.constant(undefined),
      fc.constant({ kind: "project" as const }),
      fc.constant({ kind: "global" as const }),
      fc.record({
        kind: fc.constantFrom("team" as const, "org" as const),
        id: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.@:-]{0,20}$/),
      }),
    );
    const env = fc.option(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,10}$/), { nil: undefined });
    fc.assert(
      fc.property(name, scope, env, (n, s, e) => {
        const ref: SecretReference = { name: n, ...(s ? { scope: s } : {}), ...(e !== undefined ? { env: e } : {}) };
        const text = formatReference(ref);
        expect(parseReference(text)).toEqual(ref);
        expect(formatReference(parseReference(text))).toBe(text);
      }),
    );
  });
});

describe("template references", () => {
  it("finds {{ coffer://NAME }} with lines and renders only them", () => {
    const template = "a: 1\nkey: {{ coffer://API_KEY }}\nurl: x{{coffer://DB?env=prod}}y {{ not }}\n";
    const found = findTemplateReferences(template);
    expect(found.map((f) => [f.text, f.line, f.canonical])).toEqual([
      ["coffer://API_KEY", 2, "coffer://API_KEY"],
      ["coffer://DB?env=prod", 3, "coffer://DB?env=prod"],
    ]);
    expect(renderTemplate(template, found, (k) => `<${k}>`)).toBe(
      "a: 1\nkey: <coffer://API_KEY>\nurl: x<coffer://DB?env=prod>y {{ not }}\n",
    );
  });

  it("names the line of a malformed reference", () => {
    expect(() => findTemplateReferences("ok\n\n{{ coffer://K?scope=nope }}")).toThrow(/template line 3/);
  });
});

describe("resolving references through the service", () => {
  it("exec resolves through injection (write-only included) and audits one exec entry", async () => {
    const { coffer } = await governedCoffer({ accessor: user("alice") });
    await coffer.set("API_KEY", SENTINEL);
    await coffer.set("WO", "write-only-value-1", { writeOnly: true });
    await coffer.set("API_KEY", "team-value-123456", { scope: "team", teamId: "acme" });
    const refs = ["coffer://API_KEY", "coffer://WO", "coffer://API_KEY?scope=team:acme"].map(parseReference);
    const resolved = await resolveReferences(coffer, refs, { use: "exec", command: "node", purpose: "test" });
    expect([...resolved.values()].map((r) => [r.reference, r.value])).toEqual([
      ["coffer://API_KEY", SENTINEL],
      ["coffer://WO", "write-only-value-1"],
      ["coffer://API_KEY?scope=team:acme", "team-value-123456"],
    ]);
    const execs = await coffer.audit({ action: "exec" });
    expect(execs.map((e) => e.details?.names)).toEqual([["API_KEY"], ["API_KEY", "WO"]]);
    expect(JSON.stringify(execs)).not.toContain(SENTINEL);
  });

  it("reveal goes through get: write-only refused, an agent needs a purpose, each reveal audited", async () => {
    const { coffer } = await governedCoffer({ accessor: user("alice") });
    await coffer.set("API_KEY", SENTINEL);
    await coffer.set("WO", "write-only-value-1", { writeOnly: true });
    const got = await resolveReferences(coffer, [parseReference("coffer://API_KEY")], {
      use: "reveal",
      purpose: "render",
    });
    expect(got.get("coffer://API_KEY")?.value).toBe(SENTINEL);
    const wo = await rejection(
      resolveReferences(coffer, [parseReference("coffer://WO")], { use: "reveal", purpose: "render" }),
    );
    expect(wo.code).toBe("PERMISSION_DENIED");
    expect(wo.message).toContain("coffer://WO");
    const bot = coffer.withAccessor(agent("bot"));
    const noPurpose = await rejection(resolveReferences(bot, [parseReference("coffer://API_KEY")], { use: "reveal" }));
    expect(noPurpose.code).toBe("INVALID_ARGUMENT");
    const reveals = await coffer.audit({ action: "reveal" });
    expect(reveals.filter((e) => e.success).map((e) => [e.name, e.purpose])).toEqual([["API_KEY", "render"]]);
  });

  it("fails naming the unresolvable reference, and policy denials stop the whole resolution", async () => {
    const policy = createPolicyEngine({ layers: [{ source: "user", config: { exec: { allow: ["*"] } } }] });
    const { coffer } = await governedCoffer({ policy, accessor: user("alice") });
    await coffer.set("API_KEY", SENTINEL);
    const missing = await rejection(
      resolveReferences(coffer, ["coffer://API_KEY", "coffer://NOPE?env=prod"].map(parseReference), {
        use: "exec",
        command: "node",
      }),
    );
    expect(missing.code).toBe("NOT_FOUND");
    expect(missing.message).toContain("coffer://NOPE?env=prod");
    expect(missing.message).not.toContain(SENTINEL);
    const bot = coffer.withAccessor(agent("bot"));
    const denied = await rejection(
      resolveReferences(bot, [parseReference("coffer://API_KEY")], { use: "exec", command: "curl" }),
    );
    expect(denied.code).toBe("PERMISSION_DENIED");
  });

  it("resolves names whose env-var forms collide separately", async () => {
    const { coffer } = await governedCoffer({ accessor: user("alice") });
    await coffer.set("api-key", "dash-value-123");
    await coffer.set("API_KEY", "upper-value-456");
    const resolved = await resolveReferences(coffer, ["coffer://api-key", "coffer://API_KEY"].map(parseReference), {
      use: "exec",
    });
    expect(resolved.get("coffer://api-key")?.value).toBe("dash-value-123");
    expect(resolved.get("coffer://API_KEY")?.value).toBe("upper-value-456");
  });

  it("env files: references resolved, plain values as written, later files win", async () => {
    const { coffer } = await governedCoffer({ accessor: user("alice") });
    await coffer.set("API_KEY", SENTINEL);
    const vars = await resolveDotenvReferences(
      coffer,
      [
        { label: "a.env", text: "A=coffer://API_KEY\nB=plain value\nC=one\n" },
        { label: "b.env", text: "C=two\n" },
      ],
      { use: "exec" },
    );
    expect(vars.map((v) => [v.key, v.value, v.secretName])).toEqual([
      ["A", SENTINEL, "API_KEY"],
      ["B", "plain value", undefined],
      ["C", "two", undefined],
    ]);
    const bad = await rejection(
      resolveDotenvReferences(coffer, [{ label: "x.env", text: "\nK=coffer://bad name\n" }], { use: "exec" }),
    );
    expect(bad.message).toMatch(/^x\.env line 2 \(K\)/);
  });
});
