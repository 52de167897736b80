export * from "./scope.js";
export * from "./secret.js";
