export * from "./resolve.js";
