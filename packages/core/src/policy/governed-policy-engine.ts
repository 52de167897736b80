import type { Approvals } from "../approvals/approval-request.js";
import { type ApprovalsConfig, validateApprovalsConfig } from "../approvals/approvals-config.js";
import { type AccessControlConfig, validateAccessControl } from "./access-control-config.js";
import { type AccessLayer, compileAccessLayer, describeAccessor } from "./access-layer.js";
import { compileExecPolicy, type ExecPolicy } from "./exec-command-policy.js";
import type { GovernedPolicyRequest } from "./governed-policy-request.js";
import { POLICY_ACTIONS, type PolicyDecision, type PolicyEngine } from "./policy.js";
import { checkTokenScopes } from "./token-scope-policy.js";

/** One configuration layer the engine reads (`accessControl`, `exec`, `mcp.exec`, `approvals`). */
export interface PolicyLayerInput {
  /** Layer name used in rule references: `user`, `project`. */
  source: string;
  /** File the layer came from, quoted in CONFIG errors. @default source */
  file?: string;
  /** The layer's parsed config, before merging. */
  config: { accessControl?: unknown; exec?: unknown; mcp?: unknown; approvals?: unknown };
}

/** Options of {@link createPolicyEngine}. */
export interface GovernedPolicyOptions {
  /** Config layers in order (user config first, then project config). */
  layers: PolicyLayerInput[];
  /** Approval store, needed when a rule or tag requires approval (without it such requests are denied). */
  approvals?: Approvals;
}

/** The configured policy engine the CLI, MCP server and REST server share. */
export interface GovernedPolicyEngine extends PolicyEngine {
  /** Decide one request; async only when an approval has to be looked up. Never throws for denials. */
  check(request: GovernedPolicyRequest): PolicyDecision | Promise<PolicyDecision>;
  /** True when some layer sets `accessControl.enforce`. */
  readonly enforcing: boolean;
}

interface CompiledLayer {
  source: string;
  access?: AccessLayer;
  accessControl?: AccessControlConfig;
  approvals?: ApprovalsConfig;
}

const ALLOWED: PolicyDecision = Object.freeze({ allowed: true, rule: "default:allow" }) as PolicyDecision;

function tagApprovalRules(layers: CompiledLayer[], request: GovernedPolicyRequest): string[] {
  const out: string[] = [];
  const tags = request.tags ?? request.secret?.tags;
  if (!tags || tags.length === 0) return out;
  for (const layer of layers) {
    const cfg = layer.approvals;
    if (!cfg?.kinds.includes(request.accessor.kind)) continue;
    for (const [tag, actions] of Object.entries(cfg.tags)) {
      if (tags.includes(tag) && (actions as string[]).includes(request.action))
        out.push(`${layer.source}:approvals.tags.${tag}`);
    }
  }
  return out;
}

/**
 * Build the policy engine from config layers (user config, then project config). A request
 * passes, in order:
 * 1. token scopes and the token's name pattern (accessors of kind `token`);
 * 2. for `exec`, the command allow/deny lists and network-tool refusal of every layer;
 * 3. `accessControl` of every layer that has one -- all must allow, so a project config can
 *    narrow, never widen, what the user config allows;
 * 4. approvals: when a rule's `requireApproval` or an `approvals.tags` entry applies, a valid
 *    human approval must exist; otherwise a request is filed (or the pending one reused) and the
 *    decision is `APPROVAL_REQUIRED` with its id.
 * With no configuration at all, everything is allowed (the service still enforces per-secret
 * `allowedAgentIds`, write-only and reveal purposes).
 * @throws CofferError CONFIG when a layer's accessControl, exec, mcp.exec or approvals section is invalid
 */
export function createPolicyEngine(options: GovernedPolicyOptions): GovernedPolicyEngine {
  const layers: CompiledLayer[] = options.layers.map(({ source, file, config }) => {
    const layer: CompiledLayer = { source };
    if (config.accessControl !== undefined && config.accessControl !== null) {
      layer.accessControl = validateAccessControl(config.accessControl, file ?? source);
      layer.access = compileAccessLayer(source, layer.accessControl);
    }
    const approvals = validateApprovalsConfig(config.approvals, file ?? source);
    if (approvals) layer.approvals = approvals;
    return layer;
  });
  const exec: ExecPolicy = compileExecPolicy(options.layers);
  const access = layers.filter((l) => l.access);
  const anyTagApprovals = layers.some((l) => l.approvals && Object.keys(l.approvals.tags).length > 0);
  const store = options.approvals;

  async function approvalDecision(request: GovernedPolicyRequest, rule: string): Promise<PolicyDecision> {
    const subject = {
      accessor: request.accessor,
      action: request.action,
      name: request.name!,
      ...(request.scope !== undefined ? { scope: request.scope } : {}),
      ...(request.action === "exec" && request.command !== undefined ? { command: request.command } : {}),
    };
    if (!store) {
      return {
        allowed: false,
        rule,
        reason: `${request.action} needs a human approval (${rule}), but no approval store is configured (it lives in the local store)`,
      };
    }
    const grant = await store.findGrant(subject);
    if (grant) return { allowed: true, rule: `approval:${grant.id}` };
    const outcome = await store.request({
      ...subject,
      rule,
      ...(request.purpose !== undefined ? { purpose: request.purpose } : {}),
    });
    const id = outcome.request.id;
    const expired = outcome.expiredRequestId
      ? ` (the earlier request ${outcome.expiredRequestId} expired unanswered)`
      : "";
    return {
      allowed: false,
      code: "APPROVAL_REQUIRED",
      rule,
      reason: `a human must approve request ${id} before ${describeAccessor(request.accessor)} may ${request.action} it${expired}; it expires at ${outcome.request.expiresAt}`,
      details: {
        requestId: id,
        expiresAt: outcome.request.expiresAt,
        ...(outcome.expiredRequestId ? { expiredRequestId: outcome.expiredRequestId } : {}),
        hint: `a person other than the requester runs: coffer approvals approve ${id}`,
      },
    };
  }

  return {
    enforcing: layers.some((l) => l.accessControl?.enforce),
    check(request: GovernedPolicyRequest): PolicyDecision | Promise<PolicyDecision> {
      if (!request?.accessor || !(POLICY_ACTIONS as readonly string[]).includes(request.action)) {
        return {
          allowed: false,
          rule: "policy:invalid-request",
          reason: "the policy request names no known action or accessor",
        };
      }
      const token = checkTokenScopes(request);
      if (token) return token;
      let rule = ALLOWED.rule;
      if (request.action === "exec") {
        const d = exec(request.command, request.accessor, request.args);
        if (!d.allowed)
          return {
            allowed: false,
            rule: d.rule,
            reason: d.reason ?? "command refused",
            details: { ...(d.hint ? { hint: d.hint } : {}), ...(d.denial ? { exec: d.denial } : {}) },
          };
        rule = d.rule;
      }
      const approvalRules: string[] = [];
      for (const layer of access) {
        const verdict = layer.access!(request);
        if (!verdict.allowed)
          return { allowed: false, rule: verdict.rule, ...(verdict.reason ? { reason: verdict.reason } : {}) };
        rule = verdict.rule;
        approvalRules.push(...verdict.approvalRules);
      }
      if (anyTagApprovals && request.name !== undefined) approvalRules.push(...tagApprovalRules(layers, request));
      if (approvalRules.length > 0 && request.name !== undefined) return approvalDecision(request, approvalRules[0]!);
      return rule === ALLOWED.rule ? ALLOWED : { allowed: true, rule };
    },
  };
}
