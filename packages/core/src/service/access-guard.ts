import type { Accessor } from "../audit/types.js";
import { CofferError } from "../errors/index.js";
import { scopeLabel } from "../model/scope.js";
import type { SecretMetadata } from "../model/secret.js";
import type { PolicyAction, PolicyEngine, PolicyRequest } from "../policy/policy.js";
import type { AuditRecorder } from "./audit-recorder.js";

/** What an operation asks the guard: one request per secret (or per non-secret resource). */
export interface AccessRequest {
  /** The action. */
  action: PolicyAction;
  /** Secret name, when the request concerns one. */
  name?: string;
  /** The secret's metadata (current state, or what a new secret will have). */
  secret?: SecretMetadata;
  /** Command of an `exec`. */
  command?: string;
  /** Arguments of an `exec`'s command (the exec lists follow launchers through them). */
  args?: readonly string[];
  /** Purpose given by the caller. */
  purpose?: string;
  /** A non-secret resource (for example `audit`). */
  resource?: PolicyRequest["resource"];
}

/**
 * Why two secrets may not be linked whatever the caller: their values would flow to readers
 * the other does not allow (different write-only flags or different allowed agents).
 */
export function linkConflict(a: SecretMetadata, b: SecretMetadata): { rule: string; reason: string } | undefined {
  if ((a.writeOnly === true) !== (b.writeOnly === true)) {
    return { rule: "entanglement:writeOnly", reason: "only one of the two secrets is write-only" };
  }
  const agents = (m: SecretMetadata) => [...new Set(m.allowedAgentIds ?? [])].sort().join("\u0000");
  if (agents(a) !== agents(b)) {
    return { rule: "entanglement:allowedAgentIds", reason: "the two secrets allow different agents" };
  }
  return undefined;
}

/**
 * The one place where access is decided for one accessor: a secret's `allowedAgentIds` and
 * `writeOnly`, the reveal rules, and the policy engine (token patterns, access-control rules,
 * exec lists, approvals). Operations build an {@link AccessRequest} and ask; a denial is audited
 * (`policy-deny`) with the rule that decided.
 */
export class AccessGuard {
  constructor(
    private readonly accessor: Accessor,
    private readonly policy: PolicyEngine,
    private readonly recorder: AuditRecorder,
  ) {}

  /**
   * Allow the request or throw (after auditing the denial).
   * @throws CofferError PERMISSION_DENIED or APPROVAL_REQUIRED
   */
  async require(req: AccessRequest): Promise<void> {
    const { action, name, secret } = req;
    if (secret && !this.agentAllowed(secret)) {
      await this.deny(
        action,
        name,
        secret,
        "secret:allowedAgentIds",
        `agent "${this.accessor.id}" is not in the secret's allowedAgentIds`,
      );
    }
    const decision = await this.policy.check(this.policyRequest(req));
    if (!decision.allowed) {
      await this.deny(
        action,
        name,
        secret,
        decision.rule,
        decision.reason ?? `${action} is not allowed`,
        decision.code,
        decision.details,
      );
    }
  }

  /** Whether the request would be allowed, without recording anything (for silent filtering). */
  async allows(req: AccessRequest & { secret: SecretMetadata }): Promise<boolean> {
    if (!this.agentAllowed(req.secret)) return false;
    const decision = await this.policy.check(this.policyRequest({ ...req, name: req.secret.name }));
    return decision.allowed;
  }

  /** Whether this caller could reveal the value (never write-only ones; users always; others per policy). */
  async mayReveal(secret: SecretMetadata): Promise<boolean> {
    if (secret.writeOnly) return false;
    if (this.accessor.kind === "user") return this.agentAllowed(secret);
    return this.allows({ action: "reveal", secret });
  }

  /**
   * Allow a reveal of `secret` or throw: never a write-only secret, a purpose from anyone but a
   * user, then the policy.
   * @throws CofferError PERMISSION_DENIED, APPROVAL_REQUIRED, INVALID_ARGUMENT (purpose)
   */
  async requireReveal(name: string, secret: SecretMetadata, purpose: string | undefined): Promise<void> {
    if (secret.writeOnly) {
      await this.deny(
        "reveal",
        name,
        secret,
        "secret:writeOnly",
        "the secret is write-only; it can be injected with run/exec but never read back",
      );
    }
    if (this.accessor.kind !== "user" && (typeof purpose !== "string" || purpose.trim() === "")) {
      throw new CofferError("INVALID_ARGUMENT", "a non-empty purpose is required to reveal a value", {
        field: "purpose",
      });
    }
    if (purpose !== undefined && (typeof purpose !== "string" || purpose.length > 500)) {
      throw new CofferError("INVALID_ARGUMENT", "purpose must be text of at most 500 characters", { field: "purpose" });
    }
    await this.require({ action: "reveal", name, secret, purpose });
  }

  /**
   * Allow linking two secrets (entanglement) or throw: linking hands each side's value to the
   * other, so it needs on both sides everything that reading and writing both values needs.
   * The two must carry the same restrictions ({@link linkConflict}); the caller must be allowed
   * to write both and, unless both are write-only, to reveal both.
   * @throws CofferError PERMISSION_DENIED (audited) or APPROVAL_REQUIRED
   */
  async requireLink(a: SecretMetadata, b: SecretMetadata): Promise<void> {
    const conflict = linkConflict(a, b);
    if (conflict) await this.deny("write", a.name, a, conflict.rule, `${conflict.reason} (with "${b.name}")`);
    for (const side of [a, b]) {
      await this.require({ action: "write", name: side.name, secret: side });
      if (!side.writeOnly) await this.require({ action: "reveal", name: side.name, secret: side });
    }
  }

  /**
   * Allow a write to propagate a value the caller did not supply (a generated rotation, a
   * rollback) from `origin` to linked `targets`: a caller that may not reveal the origin must
   * not be able to reveal any target, or it would read the origin's value there.
   * @throws CofferError PERMISSION_DENIED (audited)
   */
  async requireBlindPropagation(origin: SecretMetadata, targets: SecretMetadata[]): Promise<void> {
    if (await this.mayReveal(origin)) return;
    for (const t of targets) {
      if (await this.mayReveal(t)) {
        await this.deny(
          "write",
          origin.name,
          origin,
          "entanglement:reveal",
          `the new value would reach "${t.name}", which this caller may reveal`,
        );
      }
    }
  }

  /** False when the secret names allowed agents and this accessor is an agent not among them. */
  agentAllowed(secret: Pick<SecretMetadata, "allowedAgentIds">): boolean {
    return !(
      this.accessor.kind === "agent" &&
      secret.allowedAgentIds &&
      secret.allowedAgentIds.length > 0 &&
      !secret.allowedAgentIds.includes(this.accessor.id)
    );
  }

  /** Audit a denial and throw it. */
  async deny(
    action: PolicyAction,
    name: string | undefined,
    secret: SecretMetadata | undefined,
    rule: string,
    reason: string,
    code: "PERMISSION_DENIED" | "APPROVAL_REQUIRED" = "PERMISSION_DENIED",
    details: Record<string, unknown> = {},
  ): Promise<never> {
    await this.recorder.record(this.accessor, {
      action: "policy-deny",
      name,
      scope: secret?.scope ? scopeLabel(secret.scope) : undefined,
      provider: secret?.provider,
      success: false,
      errorCode: code,
      details: { rule, requested: action, ...details },
    });
    const what = name ? `secret "${name}"` : "secrets";
    const message =
      code === "APPROVAL_REQUIRED"
        ? `${action} of ${what} needs approval: ${reason}`
        : `${action} of ${what} denied: ${reason}`;
    throw new CofferError(code, message, { name, rule, ...details });
  }

  private policyRequest(req: AccessRequest): PolicyRequest {
    const { action, name, secret, command, args, purpose, resource } = req;
    return {
      accessor: this.accessor,
      action,
      name,
      scope: secret?.scope ? scopeLabel(secret.scope) : undefined,
      tags: secret?.tags,
      secret,
      command,
      ...(args ? { args } : {}),
      purpose,
      ...(resource ? { resource } : {}),
    };
  }
}
