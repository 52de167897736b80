export * from "./coffer-error.js";
