export * from "./approval-request.js";
export * from "./approval-store.js";
export * from "./approvals-config.js";
