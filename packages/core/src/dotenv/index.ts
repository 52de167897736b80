export * from "./format-dotenv.js";
export * from "./parse-dotenv.js";
export * from "./types.js";
