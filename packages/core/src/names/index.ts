export { AGENT_ID_PATTERN, AGENT_ID_RULE_TEXT, isValidAgentId, validateAgentId } from "./agent-id.js";
export { cachedGlob, compileGlob, MAX_GLOB_LENGTH, matchesGlob, type NameGlob, validateGlob } from "./name-glob.js";
export {
  DEFAULT_NAME_PATTERN,
  ENV_NAME_PATTERN,
  type EnvVarCollision,
  mapToEnvVars,
  NAME_RULE_TEXT,
  type NamingRule,
  quoteName,
  RESERVED_PREFIX,
  toEnvVarName,
  validateEnvName,
  validateSecretName,
} from "./secret-name.js";
