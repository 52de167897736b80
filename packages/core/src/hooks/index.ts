export { type FunctionHookOptions, functionHook } from "./function-hook.js";
export { type GovernedHookSource, type GovernedHookSourceOptions, governedHookSource } from "./governed-hook-source.js";
export {
  HOOK_EVENTS,
  type Hook,
  type HookEvent,
  type HookMatch,
  type HookPayload,
  type HookReport,
  type HookSource,
  type HookVeto,
} from "./hook.js";
export {
  asArgumentError,
  HOOK_COMMON_KEYS,
  HOOK_TYPES,
  type HookDefinition,
  type HookDefinitionBase,
  type HookType,
  MAX_HOOK_TIMEOUT_SECONDS,
  SHELL_HOOK_KEYS,
  type ShellHookDefinition,
  validateHookDefinition,
  validateHookDefinitions,
  WEBHOOK_KEYS,
  type WebhookHookDefinition,
  webhookSecretReference,
} from "./hook-definition.js";
export { type HookBuildContext, hookFromDefinition } from "./hook-from-definition.js";
export {
  HOOKS_COLLECTION,
  HOOKS_VERSION_DOCUMENT,
  type HookChangeOptions,
  type HookListing,
  type HookRegistry,
  type HookRegistryOptions,
  type HookTestResult,
  hookListing,
  hookRegistry,
  type RegisteredHookDefinition,
} from "./hook-registry.js";
export {
  guardedLookup,
  isIpLiteral,
  isPrivateAddress,
  PRIVATE_ADDRESS_ERROR_CODE,
  parseIPv4,
  parseIPv6,
} from "./network-address-policy.js";
export { type ShellHookContext, shellHook } from "./shell-hook.js";
export { WEBHOOK_VETO_STATUSES, type WebhookHookContext, webhookHook } from "./webhook-hook.js";
export {
  DEFAULT_SIGNATURE_TOLERANCE_SECONDS,
  signWebhookPayload,
  verifyWebhookSignature,
  WEBHOOK_SIGNATURE_HEADER,
} from "./webhook-signature.js";
