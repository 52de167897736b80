import { afterEach, describe, expect, it } from "vitest";
import { type Approvals, approvals as approvalStore, createPolicyEngine } from "../src/index.js";
import {
  agent,
  cleanup,
  governedCoffer,
  localStore,
  rejection,
  SENTINEL,
  testClock,
  user,
} from "./governance-support.js";

afterEach(cleanup);

/** A service whose policy requires approval for agents revealing or running `prod/*` secrets. */
async function approvalSetup(extra: Record<string, unknown> = {}) {
  const clock = testClock();
  const store = await localStore({ clock: clock.now });
  const approvals: Approvals = approvalStore(store.documents, { clock: clock.now, audit: store.auditLog });
  const policy = createPolicyEngine({
    layers: [
      {
        source: "user",
        config: {
          accessControl: {
            rules: [
              {
                id: "prod-needs-human",
                accessors: ["agent:*"],
                names: ["prod/*"],
                requireApproval: ["reveal", "exec"],
              },
            ],
          },
          approvals: { tags: { "needs-approval": ["reveal"] } },
          exec: { allow: ["npm"] },
          ...extra,
        },
      },
    ],
    approvals,
  });
  const { coffer } = await governedCoffer({ store, clock: clock.now, policy, accessor: user("alice") });
  await coffer.set("prod/db", SENTINEL);
  await coffer.set("dev/db", "dev-value-1234567");
  await coffer.set("tagged", "tagged-value-123456", { tags: ["needs-approval"] });
  return { coffer, clock, approvals };
}

describe("approvals", () => {
  it("files a request, reuses it while pending, and lets the agent in only after a human approves", async () => {
    const { coffer, approvals } = await approvalSetup();
    const bot = coffer.withAccessor(agent("bot"));
    const first = await rejection(bot.get("prod/db", { reveal: true, purpose: "migrate the database" }));
    expect(first.code).toBe("APPROVAL_REQUIRED");
    expect(first.details.rule).toBe("user:rule:prod-needs-human");
    const id = first.details.requestId as string;
    expect(id).toMatch(/^apr_/);
    expect(first.message).toContain(id);
    expect(first.message).not.toContain(SENTINEL);
    const again = await rejection(bot.get("prod/db", { reveal: true, purpose: "migrate the database" }));
    expect(again.details.requestId).toBe(id);
    const [pending] = await approvals.list({ status: "pending" });
    expect(pending).toMatchObject({
      id,
      requester: { id: "bot", kind: "agent" },
      action: "reveal",
      name: "prod/db",
      scope: "global",
      purpose: "migrate the database",
      rule: "user:rule:prod-needs-human",
    });
    // other secrets are not affected
    expect((await bot.get("dev/db", { reveal: true, purpose: "dev" })).value).toBe("dev-value-1234567");
    const approved = await approvals.approve(id, { approver: user("alice"), forSeconds: 600 });
    expect(approved.status).toBe("approved");
    expect((await bot.get("prod/db", { reveal: true, purpose: "migrate the database" })).value).toBe(SENTINEL);
    // the grant is scoped to that accessor and action
    expect(
      (await rejection(coffer.withAccessor(agent("other-bot")).get("prod/db", { reveal: true, purpose: "x" }))).code,
    ).toBe("APPROVAL_REQUIRED");
    expect(
      (await rejection(bot.resolveForInjection({ only: ["prod/db"], command: "npm", purpose: "run migration" }))).code,
    ).toBe("APPROVAL_REQUIRED");
    // audit: the denials carry the request id; the approval is recorded with who approved
    const denials = await coffer.audit({ action: "policy-deny", accessor: "bot" });
    expect(denials.some((e) => e.details?.requestId === id && e.errorCode === "APPROVAL_REQUIRED")).toBe(true);
    const [approval] = await coffer.audit({ action: "approval" });
    expect(approval).toMatchObject({
      accessor: "alice",
      name: "prod/db",
      success: true,
      details: { requestId: id, decision: "approved", requester: "agent:bot", requested: "reveal" },
    });
  });

  it("refuses self-approval and approval by agents or tokens, and audits the refusal", async () => {
    const { coffer, approvals } = await approvalSetup();
    const err = await rejection(coffer.withAccessor(agent("bot")).get("prod/db", { reveal: true, purpose: "p" }));
    const id = err.details.requestId as string;
    const byAgent = await rejection(approvals.approve(id, { approver: agent("bot") }));
    expect(byAgent.code).toBe("PERMISSION_DENIED");
    expect(byAgent.message).toContain("needs a human");
    const byOtherAgent = await rejection(approvals.approve(id, { approver: agent("helper-bot") }));
    expect(byOtherAgent.code).toBe("PERMISSION_DENIED");
    const byToken = await rejection(
      approvals.approve(id, { approver: { id: "ci", kind: "token", frontEnd: "rest", tokenScopes: ["admin"] } }),
    );
    expect(byToken.code).toBe("PERMISSION_DENIED");
    // a person whose id is the requester's (an agent run as the OS user) cannot approve either
    const self = await rejection(approvals.approve(id, { approver: user("bot") }));
    expect(self.code).toBe("PERMISSION_DENIED");
    expect(self.message).toContain("cannot approve their own request");
    expect((await approvals.get(id)).status).toBe("pending");
    const refusals = (await coffer.audit({ action: "approval", failedOnly: true })).map((e) => e.accessor);
    expect(refusals.sort()).toEqual(["bot", "bot", "ci", "helper-bot"]);
  });

  it("reports unanswered requests as expired and files a new one", async () => {
    const { coffer, approvals, clock } = await approvalSetup();
    const bot = coffer.withAccessor(agent("bot"));
    const first = (await rejection(bot.get("prod/db", { reveal: true, purpose: "p" }))).details.requestId as string;
    clock.advance(3601);
    expect((await approvals.get(first)).status).toBe("expired");
    const late = await rejection(approvals.approve(first, { approver: user("alice") }));
    expect(late.code).toBe("EXPIRED");
    const second = await rejection(bot.get("prod/db", { reveal: true, purpose: "p" }));
    expect(second.details.requestId).not.toBe(first);
    expect(second.details.expiredRequestId).toBe(first);
    expect(second.message).toContain(`${first} expired`);
    expect((await approvals.list({ status: "expired" })).map((r) => r.id)).toEqual([first]);
  });

  it("ends a grant after its window and denies again", async () => {
    const { coffer, approvals, clock } = await approvalSetup();
    const bot = coffer.withAccessor(agent("bot"));
    const id = (await rejection(bot.get("prod/db", { reveal: true, purpose: "p" }))).details.requestId as string;
    await approvals.approve(id, { approver: user("alice"), forSeconds: 60 });
    expect((await bot.get("prod/db", { reveal: true, purpose: "p" })).value).toBe(SENTINEL);
    clock.advance(61);
    expect((await approvals.get(id)).status).toBe("expired");
    expect((await rejection(bot.get("prod/db", { reveal: true, purpose: "p" }))).code).toBe("APPROVAL_REQUIRED");
  });

  it("binds an exec approval to the command, and a denial keeps the agent out", async () => {
    const { coffer, approvals } = await approvalSetup({ exec: { allow: ["npm", "node"] } });
    const bot = coffer.withAccessor(agent("bot"));
    const id = (await rejection(bot.resolveForInjection({ only: ["prod/db"], command: "npm", purpose: "migrate" })))
      .details.requestId as string;
    expect((await approvals.get(id)).command).toBe("npm");
    await approvals.approve(id, { approver: user("alice") });
    expect(
      (await bot.resolveForInjection({ only: ["prod/db"], command: "npm", purpose: "migrate" })).vars.PROD_DB,
    ).toBe(SENTINEL);
    expect(
      (await rejection(bot.resolveForInjection({ only: ["prod/db"], command: "node", purpose: "migrate" }))).code,
    ).toBe("APPROVAL_REQUIRED");
    await approvals.deny(id, { by: user("alice"), note: "done for today" });
    expect((await approvals.get(id)).status).toBe("denied");
    expect(
      (await rejection(bot.resolveForInjection({ only: ["prod/db"], command: "npm", purpose: "migrate" }))).code,
    ).toBe("APPROVAL_REQUIRED");
    expect((await rejection(approvals.deny(id))).code).toBe("CONFLICT");
  });

  it("requires approval by tag for agents, not for people", async () => {
    const { coffer } = await approvalSetup();
    expect(
      (await rejection(coffer.withAccessor(agent("bot")).get("tagged", { reveal: true, purpose: "p" }))).details.rule,
    ).toBe("user:approvals.tags.needs-approval");
    expect((await coffer.get("tagged", { reveal: true })).value).toBe("tagged-value-123456");
  });

  it("validates ids and durations", async () => {
    const { approvals } = await approvalSetup();
    expect((await rejection(approvals.get("nope"))).code).toBe("INVALID_ARGUMENT");
    expect((await rejection(approvals.get("apr_AAAAAAAAAAAA"))).code).toBe("NOT_FOUND");
    const { request } = await approvals.request({
      accessor: agent("bot"),
      action: "reveal",
      name: "prod/db",
      rule: "test",
    });
    expect(
      (await rejection(approvals.approve(request.id, { approver: user("alice"), forSeconds: 10 ** 9 }))).code,
    ).toBe("INVALID_ARGUMENT");
    expect((await rejection(approvals.list({ status: "maybe" as "pending" }))).code).toBe("INVALID_ARGUMENT");
  });
});
