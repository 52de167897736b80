export * from "./fallback-chain.js";
