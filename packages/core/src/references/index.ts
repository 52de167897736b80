export { type DotenvSource, type ResolvedDotenvVariable, resolveDotenvReferences } from "./dotenv-references.js";
export { resolveEnvironmentReferences } from "./environment-references.js";
export {
  type MigrateDotenvOptions,
  type MigrationItem,
  type MigrationResult,
  migrateDotenv,
} from "./migrate-dotenv.js";
export { type ResolvedReference, type ResolveReferencesOptions, resolveReferences } from "./resolve-references.js";
export {
  formatReference,
  isReference,
  parseReference,
  REFERENCE_PREFIX,
  type ReferenceScope,
  referenceScopeInput,
  type SecretReference,
} from "./secret-reference.js";
export { findTemplateReferences, renderTemplate, type TemplateReference } from "./template-references.js";
