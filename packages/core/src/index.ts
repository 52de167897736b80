export * from "./errors/index.js";
export * from "./model/index.js";
export * from "./provider/index.js";
export * from "./audit/index.js";
export * from "./store/index.js";
