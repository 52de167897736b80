export {
  ACCESS_CONTROL_KEYS,
  ACCESS_RULE_KEYS,
  ACCESSOR_KINDS,
  type AccessControlConfig,
  type AccessRule,
  APPROVABLE_ACTIONS,
  type ApprovableAction,
  validateAccessControl,
} from "./access-control-config.js";
export {
  type AccessLayer,
  type AccessLayerVerdict,
  compileAccessLayer,
  describeAccessor,
  ruleRef,
} from "./access-layer.js";
export {
  ACCESSOR_KIND_PREFIXES,
  type AccessorMatcher,
  compileAccessorPattern,
  FRONT_END_PATTERNS,
  validateAccessorPattern,
} from "./accessor-pattern.js";
export {
  compileExecPolicy,
  EXEC_CONFIG_KEYS,
  type ExecCommandConfig,
  type ExecCommandDecision,
  type ExecDenial,
  type ExecDenialKind,
  type ExecPolicy,
  type ExecPolicyLayer,
  execCommandAllowed,
  NETWORK_TOOLS,
  validateExecConfig,
} from "./exec-command-policy.js";
export { isLauncher, type LauncherChain, programName, resolveLaunchers } from "./exec-launchers.js";
export {
  createPolicyEngine,
  type GovernedPolicyEngine,
  type GovernedPolicyOptions,
  type PolicyLayerInput,
} from "./governed-policy-engine.js";
export {
  ADMIN_RESOURCES,
  type AdminResource,
  type GovernedPolicyRequest,
  PER_SECRET_FOLLOW_UP_ACTIONS,
} from "./governed-policy-request.js";
export {
  ALLOW_ALL_POLICY,
  POLICY_ACTIONS,
  type PolicyAction,
  type PolicyDecision,
  type PolicyEngine,
  type PolicyRequest,
} from "./policy.js";
export { policyLayersOf } from "./policy-layers.js";
export { checkTokenScopes, requiredTokenScope, TOKEN_SCOPE_FOR_ACTION } from "./token-scope-policy.js";
