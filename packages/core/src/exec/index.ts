export * from "./child-environment.js";
export * from "./exec-with-secrets.js";
