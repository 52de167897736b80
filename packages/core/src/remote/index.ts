export { type AbortSignalLike, type BackoffPolicy, backoffSleep, retryDelayMs } from "./backoff.js";
export { CircuitBreaker, type CircuitBreakerOptions } from "./circuit-breaker.js";
export { formatAge } from "./format-age.js";
export { DEFAULT_MAX_STALE_SECONDS, type LastKnownGood, type RememberedSecret } from "./last-known-good.js";
export { type CachedRead, ReadCache, type ReadCacheStats } from "./read-cache.js";
export { parseRetryAfter } from "./retry-after.js";
