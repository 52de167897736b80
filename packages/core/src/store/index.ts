export * from "./document-store.js";
export * from "./read-context.js";
