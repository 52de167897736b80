export { decayOf, parseDurationOrDate, STALE_FRACTION } from "./decay.js";
export {
  type ExpiryAgentOptions,
  type ExpiryAgentResult,
  MAX_AGENT_INTERVAL_SECONDS,
  runExpiryAgent,
} from "./expiry-agent.js";
