export * from "./encrypted-bundle.js";
