export type { DotenvSource, ResolvedDotenvVariable } from "./dotenv-references.js";
export { resolveDotenvReferences } from "./dotenv-references.js";
export { resolveEnvironmentReferences } from "./environment-references.js";
export type { MigrateDotenvOptions, MigrationItem, MigrationResult } from "./migrate-dotenv.js";
export { migrateDotenv } from "./migrate-dotenv.js";
export type { ResolvedReference, ResolveReferencesOptions } from "./resolve-references.js";
export { resolveReferences } from "./resolve-references.js";
export type { ReferenceScope, SecretReference } from "./secret-reference.js";
export {
  formatReference,
  isReference,
  parseReference,
  REFERENCE_PREFIX,
  referenceScopeInput,
} from "./secret-reference.js";
export type { TemplateReference } from "./template-references.js";
export { findTemplateReferences, renderTemplate } from "./template-references.js";
