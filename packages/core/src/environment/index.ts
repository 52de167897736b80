export { currentGitBranch, detectEnvironment, type EnvironmentSources } from "./detect.js";
