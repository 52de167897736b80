export { formatDotenv } from "./format-dotenv.js";
export { parseDotenv, scanDotenv } from "./parse-dotenv.js";
export {
  DOTENV_KEY_PATTERN,
  DOTENV_KEY_RULE_TEXT,
  type DotenvAssignment,
  type DotenvAssignmentSpan,
  type DotenvEntry,
  type DotenvParseResult,
  type DotenvWarning,
  type DotenvWarningCode,
} from "./types.js";
