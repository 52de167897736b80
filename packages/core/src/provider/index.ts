export * from "./provider.js";
export * from "./provider-options.js";
