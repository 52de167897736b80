export * from "./detect-import-format.js";
export * from "./format-export.js";
export { normalizeExpiry } from "./import-item.js";
export { MAX_YAML_ALIASES } from "./import-source.js";
export * from "./parse-import.js";
export * from "./types.js";
