/**
 * `@coffer/runtime`: the one place the CLI, MCP server and REST server build the shared chain
 * from `coffer.yaml`.
 *
 * @example
 * const { coffer } = await openCoffer({ accessor: defaultAccessor("cli") });
 * await coffer.get("STRIPE_SECRET_KEY");
 */

export {
  buildGovernance,
  type Governance,
  type GovernanceConfig,
  type GovernanceOptions,
  HOOK_SECRET_ACCESSOR,
  readGovernanceConfig,
} from "./governance.js";
export {
  type LocalLastKnownGoodOptions,
  lastKnownGoodKey,
  localLastKnownGood,
  MAX_STALE_SECONDS_LIMIT,
  takeMaxStaleSeconds,
} from "./last-known-good.js";
export { defaultAccessor, type OpenCofferOptions, type OpenedCoffer, openCoffer } from "./open-coffer.js";
