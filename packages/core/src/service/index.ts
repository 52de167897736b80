export * from "./coffer.js";
export * from "./entanglement.js";
export * from "./options.js";
export * from "./types.js";
export * from "./validate.js";
