export * from "./document-store.js";
