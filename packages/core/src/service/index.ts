export * from "./types.js";
export * from "./options.js";
export * from "./coffer.js";
export * from "./validate.js";
export * from "./entanglement.js";
