export * from "./decay.js";
export * from "./expiry-agent.js";
