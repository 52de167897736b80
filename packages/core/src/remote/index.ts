export * from "./backoff.js";
export * from "./circuit-breaker.js";
export * from "./format-age.js";
export * from "./last-known-good.js";
export * from "./read-cache.js";
export * from "./retry-after.js";
