// Reference behaviours of vault_secret and expiry (issue 17), through the real MCP client over stdio.
import { createCoffer } from "@coffer/core";
import { local } from "@coffer/provider-local";
import { afterEach, describe, expect, it } from "vitest";
import { type Connection, connectStdio, makeWorkspace, type Workspace } from "./mcp-harness.js";

let ws: Workspace;
let agent: Connection;
afterEach(async () => {
  await agent?.close();
  ws?.cleanup();
});

/** Read one version of a global secret as a library user would (a front end that allows versions). */
async function readVersion(home: string, cwd: string, name: string, version: number) {
  const coffer = createCoffer({ providers: [local({ home })], cwd, projectRoot: cwd, env: {} });
  try {
    return await coffer.get(name, { scope: "global", version, reveal: true }).then(
      (r) => ({ ok: true as const, value: r.value }),
      (err: { code?: string }) => ({ ok: false as const, code: err.code }),
    );
  } finally {
    await coffer.dispose();
  }
}

describe("vault_secret keeps no history", () => {
  it("expires the old value at once after a put over an existing secret and after rotate", async () => {
    ws = makeWorkspace();
    agent = await connectStdio(ws, ["--agent-id", "builder"]);
    const name = "openai/default_api_key";
    expect((await agent.call("vault_secret", { action: "put", name, value: "first-value-1" })).isError).toBe(false);
    expect((await agent.call("vault_secret", { action: "put", name, value: "second-value-2" })).isError).toBe(false);
    const rotated = await agent.call("vault_secret", { action: "rotate", name, value: "third-value-3" });
    expect(rotated.text).toContain("version 2 -> 3");
    await agent.close();

    for (const version of [1, 2]) {
      expect(await readVersion(ws.home, ws.cwd, name, version)).toEqual({ ok: false, code: "EXPIRED" });
    }
    expect(await readVersion(ws.home, ws.cwd, name, 3)).toEqual({ ok: true, value: "third-value-3" });
    agent = await connectStdio(ws, ["--agent-id", "builder"]);
  });
});

describe("expiresAt in every RFC 3339 form", () => {
  it.each(["2099-12-31t23:59:59z", "2099-12-31T23:59:59.5+02:00", "2099-12-31 23:59:59Z"])(
    "accepts %s",
    async (expiresAt) => {
      ws = makeWorkspace();
      agent = await connectStdio(ws, ["--agent-id", "builder"]);
      const put = await agent.call("vault_secret", { action: "put", name: "svc/token", value: "tok-1", expiresAt });
      expect(put.isError, put.text).toBe(false);
      const got = await agent.call("vault_secret", { action: "get", name: "svc/token" });
      expect(got.text).toContain("2099-12-31");
    },
  );

  it("refuses a value that is no date-time with a coded error naming the field", async () => {
    ws = makeWorkspace();
    agent = await connectStdio(ws, ["--agent-id", "builder"]);
    const put = await agent.call("vault_secret", {
      action: "put",
      name: "svc/token",
      value: "tok-1",
      expiresAt: "soon",
    });
    expect(put.isError).toBe(true);
    expect(put.text).toMatch(/^INVALID_ARGUMENT: .*expiresAt/);
  });
});

describe("an expired secret", () => {
  it("says to ask a human, without suggesting allowExpired (which MCP does not take)", async () => {
    ws = makeWorkspace();
    agent = await connectStdio(ws, ["--agent-id", "builder"]);
    const put = await agent.call("vault_secret", {
      action: "put",
      name: "svc/old",
      value: "old-token",
      expiresAt: "2001-01-01T00:00:00Z",
    });
    expect(put.isError, put.text).toBe(false);
    const got = await agent.call("vault_secret", { action: "get", name: "svc/old" });
    expect(got.isError).toBe(true);
    expect(got.text).toMatch(/^EXPIRED: /);
    expect(got.text).not.toMatch(/allowExpired|allow-expired/);
    expect(got.text).toContain("ask a human");
  });
});
