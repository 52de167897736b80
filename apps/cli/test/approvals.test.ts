import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Accessor, CofferError } from "@coffer/core";
import { openCoffer } from "@coffer/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliWorld, createWorld, envelope } from "./cli-harness.js";

const VALUE = "pg://prod-user:S3cr3t-approval-value@db/prod";

interface ApprovalRow {
  id: string;
  name: string;
  action: string;
  status: string;
  purpose?: string;
  requester: { id: string; kind: string; frontEnd: string };
  decidedBy?: string;
  grantedUntil?: string;
}

describe("coffer approvals / approve / deny", () => {
  let w: CliWorld;

  /** An agent reveals a secret through the library (as coffer-mcp would), in this test process. */
  async function agentReveal(name: string, agentId = "claude"): Promise<{ value?: string; error?: CofferError }> {
    const accessor: Accessor = { id: agentId, kind: "agent", frontEnd: "mcp" };
    const opened = await openCoffer({ cwd: w.cwd, env: w.env, accessor });
    try {
      const result = await opened.coffer.get(name, { reveal: true, purpose: "run the migrations" });
      return { value: result.value };
    } catch (err) {
      return { error: err as CofferError };
    } finally {
      await opened.coffer.dispose();
    }
  }

  async function approvalsJson(status = "all"): Promise<ApprovalRow[]> {
    const r = await w.run(["approvals", "--status", status, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    return envelope<{ approvals: ApprovalRow[] }>(r).data.approvals;
  }

  beforeAll(async () => {
    w = createWorld();
    writeFileSync(
      join(w.cwd, "coffer.yaml"),
      [
        "accessControl:",
        "  rules:",
        "    - id: agents-need-approval",
        "      kinds: [agent]",
        '      names: ["prod-*"]',
        "      requireApproval: [reveal]",
        "    - id: people-too",
        "      accessors: [cli]",
        '      names: ["self-*"]',
        "      requireApproval: [reveal]",
        "",
      ].join("\n"),
      { mode: 0o600 },
    );
    expect((await w.run(["set", "prod-db"], { input: VALUE })).code).toBe(0);
    expect((await w.run(["set", "self-token"], { input: "self-token-value-123" })).code).toBe(0);
  });
  afterAll(() => w.cleanup());

  it("an agent's reveal files a request, a person approves it, the retry succeeds, and the grant expires", async () => {
    const first = await agentReveal("prod-db");
    expect(first.error?.code).toBe("APPROVAL_REQUIRED");
    const requestId = first.error!.details.requestId as string;
    expect(requestId).toMatch(/^apr_[A-Za-z0-9_-]{12}$/);
    // Asking again while it is pending reuses the request.
    expect((await agentReveal("prod-db")).error?.details.requestId).toBe(requestId);

    const table = await w.run(["approvals"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^Approval requests \(pending\): 1\n\n┌/);
    expect(table.stdout).toMatch(
      /│ Id +│ Accessor +│ Secret +│ Action +│ Command\/Purpose +│ Requested +│ Expires +│ Status +│/,
    );
    expect(table.stdout).toContain(`│ ${requestId} │ agent:claude (mcp) │ prod-db │ reveal │ run the migrations │`);
    expect(table.stdout).toMatch(/│ \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ │ \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ │ pending │/);
    expect(table.stdout).toContain("coffer approve <id>");

    const approved = await w.run(["approve", requestId, "--for", "2s"]);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toMatch(
      new RegExp(
        `^✓ Approved ${requestId}: agent 'claude' may reveal 'prod-db'\\n {2}Until: \\d{4}-.+\\(\\d seconds?\\)`,
      ),
    );
    const retry = await agentReveal("prod-db");
    expect(retry.error).toBeUndefined();
    expect(retry.value).toBe(VALUE);
    // The approval covers that agent only.
    expect((await agentReveal("prod-db", "cursor")).error?.code).toBe("APPROVAL_REQUIRED");

    const rows = await approvalsJson("approved");
    expect(rows.map((r) => r.id)).toEqual([requestId]);
    expect(rows[0]).toMatchObject({ name: "prod-db", action: "reveal", requester: { id: "claude", kind: "agent" } });
    expect(rows[0]!.decidedBy).toBeTruthy();

    await new Promise((resolve) => setTimeout(resolve, 2300));
    const afterExpiry = await agentReveal("prod-db");
    expect(afterExpiry.error?.code).toBe("APPROVAL_REQUIRED");
    expect(afterExpiry.error!.details.requestId).not.toBe(requestId);
    expect((await approvalsJson("expired")).map((r) => r.id)).toContain(requestId);

    const audit = envelope<{ entries: Array<{ action: string; details?: Record<string, unknown> }> }>(
      await w.run(["audit", "prod-db", "--action", "approval", "--json"]),
    );
    expect(audit.data.entries.map((e) => e.details?.decision)).toContain("approved");
    expect(w.transcript.join("\n")).not.toContain(VALUE);
  });

  it("denies a request, and refuses approvals by the requester or from an agent's shell", async () => {
    const pending = await agentReveal("prod-db", "gemini");
    const id = pending.error!.details.requestId as string;

    // An agent running `coffer approve` in its own shell session is not a person.
    for (const env of [{ CLAUDECODE: "1" }, { COFFER_AGENT_ID: "gemini-helper" }]) {
      const fromAgent = await w.run(["approve", id], { env });
      expect(fromAgent.code).toBe(6);
      expect(fromAgent.stderr).toMatch(/✗ Error: approval apr_\S+ needs a human/);
      expect(fromAgent.stderr).toMatch(
        new RegExp(`hint: ${Object.keys(env)[0]} is set, so this shell counts as agent`),
      );
    }
    expect((await approvalsJson("pending")).map((r) => r.id)).toContain(id);

    const denied = await w.run(["deny", id, "--note", "not today"]);
    expect(denied.code, denied.stderr).toBe(0);
    expect(denied.stdout).toBe(`✓ Denied ${id}: agent 'gemini' may not reveal 'prod-db'\n`);
    expect((await approvalsJson("denied")).map((r) => r.id)).toEqual([id]);
    expect((await w.run(["approve", id])).code).toBe(5);
    expect((await agentReveal("prod-db", "gemini")).error?.code).toBe("APPROVAL_REQUIRED");

    // A person's own request (a rule requiring approval for CLI reveals) cannot be self-approved.
    const own = await w.run(["get", "self-token", "--plain"]);
    expect(own.code).toBe(14);
    expect(own.stderr).toMatch(/needs approval/);
    expect(own.stdout).toBe("");
    const ownId = (await approvalsJson("pending")).find((r) => r.name === "self-token")!.id;
    const self = await w.run(["approve", ownId]);
    expect(self.code).toBe(6);
    expect(self.stderr).toMatch(/who cannot approve their own request/);
  });

  it("rejects bad ids and statuses with usage errors", async () => {
    expect((await w.run(["approve", "not-an-id"])).code).toBe(2);
    expect((await w.run(["approve", "apr_AAAAAAAAAAAA"])).code).toBe(3);
    expect((await w.run(["approve"])).code).toBe(2);
    expect((await w.run(["approvals", "--status", "maybe"])).code).toBe(2);
    const bad = await w.run(["approve", "apr_AAAAAAAAAAAA", "--for", "soon"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--for must be a duration/);
    // The spelling in the policy engine's hint works too.
    const list = await w.run(["approvals", "list", "--status", "all"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^Approval requests \(all\): \d+/);
  });
});
