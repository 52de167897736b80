export {
  asProviderError,
  type ChainEntry,
  type ChainHit,
  type ChainPolicy,
  FallbackChain,
  type FallbackChainOptions,
  type ReadFreshness,
} from "./fallback-chain.js";
