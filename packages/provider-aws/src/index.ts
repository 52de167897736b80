/**
 * @coffer/provider-aws: Coffer provider for AWS Secrets Manager.
 *
 * ```ts
 * import { awsSecretsManager } from "@coffer/provider-aws";
 *
 * const aws = awsSecretsManager({
 *   region: "eu-west-1",      // or AWS_REGION
 *   profile: "prod",          // or AWS_PROFILE / the default credential chain
 *   prefix: "coffer/",        // AWS names: coffer/global/NAME, coffer/project/<hash>/NAME@prod
 *   cacheTtlSeconds: 300,
 * });
 * ```
 */

export type { CachedRead, ReadCacheStats } from "@coffer/core";
export {
  AWS_CAPABILITIES,
  AWS_SECRETS_MANAGER_KIND,
  type AwsSecretsManagerProvider,
  awsSecretsManager,
} from "./aws-secrets-manager.js";
export { TAG_KEYS } from "./metadata/secret-tags.js";
export {
  AWS_SECRET_NAME_MAX,
  awsBaseName,
  awsSecretName,
  ENV_SEPARATOR,
  hashScopeId,
  type ParsedAwsSecretName,
  parseAwsSecretName,
  scopeNamePrefix,
  scopeSegment,
} from "./naming/aws-secret-name.js";
export { LABELED_VERSIONS_KEPT, versionLabel, versionOfToken, versionToken } from "./naming/version-token.js";
export type { AwsSecretsManagerOptions, AwsStaticCredentials } from "./options.js";
