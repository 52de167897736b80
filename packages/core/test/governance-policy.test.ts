import { afterEach, describe, expect, it } from "vitest";
import {
  type Accessor,
  CofferError,
  createPolicyEngine,
  execCommandAllowed,
  type GovernedPolicyRequest,
  type PolicyLayerInput,
  validateAccessControl,
} from "../src/index.js";
import { agent, cleanup, governedCoffer, rejection, token, user } from "./governance-support.js";

afterEach(cleanup);

const userLayer = (config: PolicyLayerInput["config"]): PolicyLayerInput => ({ source: "user", config });
const projectLayer = (config: PolicyLayerInput["config"]): PolicyLayerInput => ({ source: "project", config });

async function decide(
  layers: PolicyLayerInput[],
  request: Omit<GovernedPolicyRequest, "accessor"> & { accessor: Accessor },
) {
  return createPolicyEngine({ layers }).check(request);
}

const USER_POLICY = {
  accessControl: {
    enforce: true,
    defaultPermissions: ["read"],
    rules: [
      { id: "agents-app", accessors: ["agent:claude-*"], names: ["app/*"], allow: ["reveal", "write"] },
      { id: "ci-tokens", accessors: ["token:ci-*"], tags: ["ci"], allow: ["reveal"] },
      { id: "people", accessors: ["cli"], allow: ["*"] },
      { id: "keep-prod", tags: ["prod"], deny: ["delete"] },
    ],
  },
};

describe("access policy: accessor x action x pattern", () => {
  const rows: Array<
    [string, Accessor, GovernedPolicyRequest["action"], string | undefined, string[] | undefined, boolean, string]
  > = [
    [
      "default permission read for any agent",
      agent("other"),
      "read",
      "db/password",
      [],
      true,
      "user:accessControl.defaultPermissions",
    ],
    [
      "agent glob + name glob grants reveal",
      agent("claude-1"),
      "reveal",
      "app/stripe",
      [],
      true,
      "user:rule:agents-app",
    ],
    [
      "agent glob, name outside the pattern",
      agent("claude-1"),
      "reveal",
      "db/password",
      [],
      false,
      "user:accessControl.enforce",
    ],
    ["agent not matching the glob", agent("gpt-4"), "reveal", "app/stripe", [], false, "user:accessControl.enforce"],
    [
      "agent granted write on its names",
      agent("claude-2"),
      "write",
      "app/new",
      undefined,
      true,
      "user:rule:agents-app",
    ],
    ["agent never granted delete", agent("claude-1"), "delete", "app/stripe", [], false, "user:accessControl.enforce"],
    ["token with the ci tag", token("ci-main", ["admin"]), "reveal", "deploy-key", ["ci"], true, "user:rule:ci-tokens"],
    [
      "token without the tag",
      token("ci-main", ["admin"]),
      "reveal",
      "deploy-key",
      ["other"],
      false,
      "user:accessControl.enforce",
    ],
    ["CLI user gets every action", user("alice"), "delete", "db/password", [], true, "user:rule:people"],
    ["deny wins over allow", user("alice"), "delete", "db/password", ["prod"], false, "user:rule:keep-prod"],
    [
      "the same user through MCP is not `cli`",
      user("alice", "mcp"),
      "write",
      "db/password",
      [],
      false,
      "user:accessControl.enforce",
    ],
  ];
  it.each(rows)("%s", async (_label, accessor, action, name, tags, allowed, rule) => {
    const decision = await decide([userLayer(USER_POLICY)], {
      accessor,
      action,
      ...(name ? { name } : {}),
      ...(tags ? { tags } : {}),
      scope: "global",
    });
    expect(decision.allowed).toBe(allowed);
    expect(decision.rule).toBe(rule);
    if (!allowed) expect(decision.reason).toBeTruthy();
  });

  it("without enforce only deny rules bite", async () => {
    const layers = [
      userLayer({ accessControl: { rules: [{ id: "no-agent-delete", kinds: ["agent"], deny: ["delete"] }] } }),
    ];
    expect((await decide(layers, { accessor: agent("a"), action: "write", name: "x" })).allowed).toBe(true);
    expect(await decide(layers, { accessor: agent("a"), action: "delete", name: "x" })).toMatchObject({
      allowed: false,
      rule: "user:rule:no-agent-delete",
    });
    expect((await decide(layers, { accessor: user("u"), action: "delete", name: "x" })).allowed).toBe(true);
  });

  it("with no configuration everything is allowed", async () => {
    const d = await decide([userLayer({}), projectLayer({})], { accessor: agent("a"), action: "reveal", name: "x" });
    expect(d).toEqual({ allowed: true, rule: "default:allow" });
  });

  it("reads bulk requests optimistically only where the service checks each secret again", async () => {
    const layers = [
      userLayer({
        accessControl: {
          enforce: true,
          rules: [{ accessors: ["agent:*"], names: ["app/*"], allow: ["export", "write"] }],
        },
      }),
    ];
    // export checks every secret afterwards: a name-filtered rule may pass the up-front check
    expect((await decide(layers, { accessor: agent("a"), action: "export" })).allowed).toBe(true);
    expect((await decide(layers, { accessor: agent("a"), action: "export", name: "db/x", tags: [] })).allowed).toBe(
      false,
    );
    // import's up-front write is final: a name-filtered rule does not grant it
    expect(await decide(layers, { accessor: agent("a"), action: "write" })).toMatchObject({
      allowed: false,
      rule: "user:accessControl.enforce",
    });
    // and a name-filtered deny blocks a bulk write conservatively
    const deny = [userLayer({ accessControl: { rules: [{ id: "no-prod", names: ["prod/*"], deny: ["write"] }] } })];
    expect(await decide(deny, { accessor: user("u"), action: "write" })).toMatchObject({
      allowed: false,
      rule: "user:rule:no-prod",
    });
    expect((await decide(deny, { accessor: user("u"), action: "write", name: "dev/x" })).allowed).toBe(true);
  });
});

describe("access policy: user and project config", () => {
  it("a project narrows: both layers must allow", async () => {
    const project = projectLayer({
      accessControl: { rules: [{ id: "no-agent-reveal", kinds: ["agent"], deny: ["reveal"] }] },
    });
    const d = await decide([userLayer(USER_POLICY), project], {
      accessor: agent("claude-1"),
      action: "reveal",
      name: "app/stripe",
      tags: [],
    });
    expect(d).toMatchObject({ allowed: false, rule: "project:rule:no-agent-reveal" });
    // what the project does not touch stays as the user config says
    expect(
      (await decide([userLayer(USER_POLICY), project], { accessor: agent("claude-1"), action: "write", name: "app/x" }))
        .allowed,
    ).toBe(true);
  });

  it("a project cannot widen what the user config allows", async () => {
    const project = projectLayer({
      accessControl: { enforce: true, rules: [{ id: "everything", accessors: ["*"], allow: ["*"] }] },
    });
    const d = await decide([userLayer(USER_POLICY), project], {
      accessor: agent("gpt-4"),
      action: "reveal",
      name: "app/stripe",
      tags: [],
    });
    expect(d).toMatchObject({ allowed: false, rule: "user:accessControl.enforce" });
  });

  it("a project alone can enforce when the user config has no policy", async () => {
    const project = projectLayer({ accessControl: { enforce: true, defaultPermissions: ["read"] } });
    expect(await decide([userLayer({}), project], { accessor: user("u"), action: "write", name: "x" })).toMatchObject({
      allowed: false,
      rule: "project:accessControl.enforce",
    });
    expect((await decide([userLayer({}), project], { accessor: user("u"), action: "read", name: "x" })).allowed).toBe(
      true,
    );
  });
});

describe("token scopes and name patterns", () => {
  const none = [userLayer({})];
  const cases: Array<[string, Accessor, Partial<GovernedPolicyRequest>, boolean, string]> = [
    ["read with secrets:read", token("t", ["secrets:read"]), { action: "read", name: "a" }, true, "default:allow"],
    [
      "reveal needs secrets:reveal",
      token("t", ["secrets:read"]),
      { action: "reveal", name: "a" },
      false,
      "token-scope:secrets:reveal",
    ],
    [
      "rotate needs secrets:write",
      token("t", ["secrets:read"]),
      { action: "rotate", name: "a" },
      false,
      "token-scope:secrets:write",
    ],
    [
      "delete needs secrets:delete",
      token("t", ["secrets:write"]),
      { action: "delete", name: "a" },
      false,
      "token-scope:secrets:delete",
    ],
    ["export needs export", token("t", ["secrets:reveal"]), { action: "export" }, false, "token-scope:export"],
    [
      "exec needs secrets:reveal",
      token("t", ["secrets:read"]),
      { action: "exec", name: "a", command: "npm" },
      false,
      "token-scope:secrets:reveal",
    ],
    ["audit reads take audit:read", token("t", ["audit:read"]), { action: "admin" }, true, "default:allow"],
    [
      "other admin needs admin",
      token("t", ["audit:read"]),
      { action: "admin", resource: "approvals" },
      false,
      "token-scope:admin",
    ],
    ["admin grants everything", token("t", ["admin"]), { action: "delete", name: "a" }, true, "default:allow"],
    [
      "a token without scopes gets nothing",
      { id: "t", kind: "token", frontEnd: "rest" },
      { action: "read", name: "a" },
      false,
      "token-scope:secrets:read",
    ],
    [
      "pattern covers the name",
      token("t", ["secrets:read"], "app/*"),
      { action: "read", name: "app/x" },
      true,
      "default:allow",
    ],
    [
      "pattern excludes the name",
      token("t", ["secrets:read"], "app/*"),
      { action: "read", name: "db/x" },
      false,
      "token-pattern",
    ],
    [
      "pattern token cannot bulk write",
      token("t", ["secrets:write"], "app/*"),
      { action: "write" },
      false,
      "token-pattern",
    ],
    [
      "pattern token may start an export (checked per secret)",
      token("t", ["export"], "app/*"),
      { action: "export" },
      true,
      "default:allow",
    ],
  ];
  it.each(cases)("%s", async (_label, accessor, request, allowed, rule) => {
    const d = await decide(none, { accessor, action: "read", ...request } as GovernedPolicyRequest);
    expect(d.allowed).toBe(allowed);
    expect(d.rule).toBe(rule);
  });

  it("token scopes and access rules both apply", async () => {
    const layers = [
      userLayer({
        accessControl: { rules: [{ id: "no-tokens-on-db", accessors: ["token:*"], names: ["db/*"], deny: ["read"] }] },
      }),
    ];
    expect(await decide(layers, { accessor: token("t", ["admin"]), action: "read", name: "db/x" })).toMatchObject({
      allowed: false,
      rule: "user:rule:no-tokens-on-db",
    });
  });
});

describe("exec command allow lists", () => {
  const agentVia = (frontEnd: Accessor["frontEnd"]): Accessor => ({ id: "a", kind: "agent", frontEnd });

  it("denies agents when no allow list is configured and says how to allow", () => {
    const d = execCommandAllowed({}, "npm", agentVia("mcp"));
    expect(d).toMatchObject({ allowed: false, rule: "exec:default-agent" });
    expect(d.hint).toContain("exec: { allow:");
  });

  it("lets people run commands but not network tools", () => {
    expect(execCommandAllowed({}, "npm", user("u"))).toMatchObject({ allowed: true, rule: "exec:default-user" });
    for (const tool of ["curl", "/usr/bin/wget", "nc", "ssh", "scp", "rsync", "socat", "telnet", "ftp", "ncat"]) {
      expect(execCommandAllowed({}, tool, user("u"))).toMatchObject({ allowed: false, rule: "exec:network-tool" });
    }
  });

  it("runs only listed commands once exec.allow is set; * excludes network tools; explicit names allow them", () => {
    const config = { exec: { allow: ["npm", "./scripts/deploy.sh", "curl"] } };
    expect(execCommandAllowed(config, "npm", user("u")).allowed).toBe(true);
    expect(execCommandAllowed(config, "node", user("u"))).toMatchObject({ allowed: false, rule: "config:exec.allow" });
    expect(execCommandAllowed(config, "/tmp/evil/npm", agentVia("cli"))).toMatchObject({ allowed: false });
    expect(execCommandAllowed(config, "./scripts/deploy.sh", agentVia("cli")).allowed).toBe(true);
    expect(execCommandAllowed(config, "curl", agentVia("cli")).allowed).toBe(true);
    expect(execCommandAllowed({ exec: { allow: ["*"] } }, "make", agentVia("cli")).allowed).toBe(true);
    expect(execCommandAllowed({ exec: { allow: ["*"] } }, "wget", agentVia("cli"))).toMatchObject({
      allowed: false,
      rule: "exec:network-tool",
    });
  });

  it("deny entries refuse a program under any path", () => {
    const config = { exec: { allow: ["*"], deny: ["bash"] } };
    expect(execCommandAllowed(config, "/bin/bash", user("u"))).toMatchObject({
      allowed: false,
      rule: "config:exec.deny",
    });
  });

  it("uses mcp.exec for MCP callers when set", () => {
    const config = { exec: { allow: ["make"] }, mcp: { exec: { allow: ["npm"] } } };
    expect(execCommandAllowed(config, "npm", agentVia("mcp")).allowed).toBe(true);
    expect(execCommandAllowed(config, "make", agentVia("mcp"))).toMatchObject({
      allowed: false,
      rule: "config:mcp.exec.allow",
    });
    expect(execCommandAllowed(config, "make", agentVia("cli")).allowed).toBe(true);
  });

  it("an agent must name its command; the engine applies the lists of both layers", async () => {
    const layers = [userLayer({ exec: { allow: ["npm", "node"] } }), projectLayer({ exec: { allow: ["npm"] } })];
    expect(await decide(layers, { accessor: agent("a"), action: "exec", command: "npm" })).toMatchObject({
      allowed: true,
    });
    expect(await decide(layers, { accessor: agent("a"), action: "exec", command: "node" })).toMatchObject({
      allowed: false,
      rule: "project:exec.allow",
    });
    expect(await decide(layers, { accessor: agent("a"), action: "exec" })).toMatchObject({
      allowed: false,
      rule: "exec:no-command",
    });
    expect(await decide(layers, { accessor: user("u"), action: "exec" })).toMatchObject({ allowed: true });
  });
});

describe("strict validation of the policy config", () => {
  const configError = (fn: () => unknown): CofferError => {
    try {
      fn();
    } catch (err) {
      if (err instanceof CofferError) return err;
      throw err;
    }
    throw new Error("expected a CONFIG error");
  };

  it("lists the valid keys for an unknown key", () => {
    const err = configError(() => validateAccessControl({ enforced: true }, "coffer.yaml"));
    expect(err.code).toBe("CONFIG");
    expect(err.message).toBe(
      'coffer.yaml: unknown key "accessControl.enforced"; valid keys are: enforce, defaultPermissions, rules',
    );
  });

  it("lists the valid actions for an unknown action", () => {
    const err = configError(() => validateAccessControl({ rules: [{ allow: ["raed"] }] }, "coffer.yaml"));
    expect(err.message).toBe(
      'coffer.yaml: accessControl.rules[0].allow[0] is an unknown action "raed"; valid actions are: read, reveal, write, delete, rotate, export, exec, admin',
    );
  });

  it.each([
    [{ rules: [{ names: ["a"] }] }, "decides nothing"],
    [{ rules: [{ allow: ["read"], scopes: ["galaxy"] }] }, "unknown scope kind"],
    [{ rules: [{ allow: ["read"], kinds: ["robot"] }] }, "valid kinds are: user, agent, token"],
    [{ rules: [{ allow: ["read"], accessors: ["agent:"] }] }, 'needs a name or glob after "agent:"'],
    [{ rules: [{ allow: ["read"], requireApproval: ["delete"] }] }, "valid approvable actions are: reveal, exec"],
    [
      {
        rules: [
          { id: "x", allow: ["read"] },
          { id: "x", allow: ["read"] },
        ],
      },
      "ids must be unique",
    ],
    [{ rules: [{ allow: ["read"], unknown: 1 }] }, "valid keys are: id, description, accessors"],
    [{ enforce: "yes" }, "must be true or false"],
  ])("refuses %j", (section, text) => {
    expect(configError(() => validateAccessControl(section, "config.yaml")).message).toContain(text);
  });

  it("refuses bad exec and approvals sections when the engine is built", () => {
    expect(
      configError(() => createPolicyEngine({ layers: [userLayer({ exec: { allow: "npm" } })] })).message,
    ).toContain("exec.allow must be a list of strings");
    expect(configError(() => createPolicyEngine({ layers: [userLayer({ exec: { permit: [] } })] })).message).toContain(
      "valid keys are: allow, deny",
    );
    expect(
      configError(() => createPolicyEngine({ layers: [userLayer({ approvals: { tags: { prod: ["write"] } } })] }))
        .message,
    ).toContain("valid approvable actions are: reveal, exec");
  });
});

describe("policy through the service", () => {
  it("denies, audits the denial with the rule that decided, and lets the allowed through", async () => {
    const policy = createPolicyEngine({ layers: [userLayer(USER_POLICY)] });
    const { coffer } = await governedCoffer({ policy, accessor: user("alice") });
    await coffer.set("app/stripe", "sk_test_value_one");
    await coffer.set("db/password", "hunter2-but-longer");
    const claude = coffer.withAccessor(agent("claude-1"));
    expect((await claude.get("app/stripe", { reveal: true, purpose: "call stripe" })).value).toBe("sk_test_value_one");
    const err = await rejection(claude.get("db/password", { reveal: true, purpose: "curious" }));
    expect(err.code).toBe("PERMISSION_DENIED");
    expect(err.details.rule).toBe("user:accessControl.enforce");
    const ci = coffer.withAccessor(token("ci-main", ["secrets:read"]));
    expect((await rejection(ci.get("app/stripe", { reveal: true, purpose: "deploy" }))).details.rule).toBe(
      "token-scope:secrets:reveal",
    );
    const denials = await coffer.audit({ action: "policy-deny" });
    expect(denials.map((e) => [e.accessor, e.name, e.details?.rule, e.details?.requested])).toEqual([
      ["ci-main", "app/stripe", "token-scope:secrets:reveal", "reveal"],
      ["claude-1", "db/password", "user:accessControl.enforce", "reveal"],
    ]);
  });

  it("refuses exec of a network tool for an agent before any value is read, and audits it", async () => {
    const policy = createPolicyEngine({ layers: [userLayer({ exec: { allow: ["*"] } })] });
    const { coffer } = await governedCoffer({ policy, accessor: user("alice") });
    await coffer.set("API_KEY", "value-for-exec-123");
    const bot = coffer.withAccessor(agent("bot"));
    expect((await bot.resolveForInjection({ command: "npm", purpose: "test" })).vars.API_KEY).toBe(
      "value-for-exec-123",
    );
    const err = await rejection(bot.resolveForInjection({ command: "curl", purpose: "exfiltrate" }));
    expect(err.code).toBe("PERMISSION_DENIED");
    expect(err.details.rule).toBe("exec:network-tool");
    const [denial] = await coffer.audit({ action: "policy-deny", accessor: "bot" });
    expect(denial?.details).toMatchObject({ rule: "exec:network-tool", requested: "exec" });
  });
});
