export { AGENT_ID_PATTERN, AGENT_ID_RULE_TEXT, isValidAgentId, validateAgentId } from "./agent-id.js";
export { cachedGlob, compileGlob, MAX_GLOB_LENGTH, matchesGlob, type NameGlob, validateGlob } from "./name-glob.js";
export * from "./secret-name.js";
