export * from "./hook.js";
