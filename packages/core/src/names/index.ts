export { cachedGlob, compileGlob, MAX_GLOB_LENGTH, matchesGlob, type NameGlob, validateGlob } from "./name-glob.js";
export * from "./secret-name.js";
