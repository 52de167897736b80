export * from "./audit-anomalies.js";
export * from "./audit-jsonl.js";
export * from "./audit-retention.js";
export * from "./types.js";
