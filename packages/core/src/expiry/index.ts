export * from "./decay.js";
