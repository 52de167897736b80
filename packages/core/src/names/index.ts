export * from "./secret-name.js";
