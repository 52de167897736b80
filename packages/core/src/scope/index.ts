export { projectRootOf, readCascade, resolveScope, type ScopeDefaults } from "./resolve.js";
