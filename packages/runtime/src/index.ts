/**
 * `@coffer/runtime`: the one place the CLI, MCP server and REST server build the shared chain
 * from `coffer.yaml`.
 *
 * @example
 * const { coffer } = await openCoffer({ accessor: defaultAccessor("cli") });
 * await coffer.get("STRIPE_SECRET_KEY");
 */
export { openCoffer, defaultAccessor, type OpenCofferOptions, type OpenedCoffer } from "./open-coffer.js";
export {
  MAX_STALE_SECONDS_LIMIT,
  lastKnownGoodKey,
  localLastKnownGood,
  takeMaxStaleSeconds,
  type LocalLastKnownGoodOptions,
} from "./last-known-good.js";
export {
  HOOK_SECRET_ACCESSOR,
  buildGovernance,
  readGovernanceConfig,
  type Governance,
  type GovernanceConfig,
  type GovernanceOptions,
} from "./governance.js";
