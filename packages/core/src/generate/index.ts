export * from "./generate-secret.js";
