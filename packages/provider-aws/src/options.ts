import { CofferError, checkProviderOptionNames, type OptionNames } from "@coffer/core";
import { AWS_LAYOUTS, type AwsLayout } from "./naming/secret-layout.js";

/** Static credentials passed explicitly (tests, short-lived tokens); otherwise the SDK's default chain is used. */
export interface AwsStaticCredentials {
  /** Access key id. */
  accessKeyId: string;
  /** Secret access key. */
  secretAccessKey: string;
  /** Session token of temporary credentials. */
  sessionToken?: string;
}

/** Configuration of the AWS Secrets Manager provider. */
export interface AwsSecretsManagerOptions {
  /** Instance name shown in provenance and errors. @default "aws-secrets-manager" */
  name?: string;
  /** AWS region, for example `eu-west-1`. @default the SDK's resolution (AWS_REGION, profile) */
  region?: string;
  /** Endpoint URL override (emulators, VPC endpoints). @default the regional AWS endpoint */
  endpoint?: string;
  /** Named profile of the shared AWS config/credentials files. @default the SDK's resolution (AWS_PROFILE) */
  profile?: string;
  /** Prefix of every AWS secret name Coffer reads and writes; a trailing `/` is added if missing. @default "coffer/" */
  prefix?: string;
  /**
   * How names map to AWS: `scoped` (`<prefix>global/NAME`, `<prefix>project/<hash>/NAME@prod`: every
   * scope and env state) or `flat` (`<prefix>NAME`: the secrets other tools made, as they are; only
   * global secrets without env states). @default "scoped"
   */
  layout?: AwsLayout;
  /** How long a read stays in this provider's in-memory cache; 0 disables the cache. @default 300 */
  cacheTtlSeconds?: number;
  /** Retries of a throttled, timed-out, 5xx or network-failed call (exponential backoff with jitter). @default 3 */
  maxRetries?: number;
  /** Per-attempt timeout of one AWS call, in milliseconds. @default 5000 */
  timeoutMs?: number;
  /** Days a deleted secret stays recoverable (AWS allows 7 to 30). @default 7 */
  recoveryWindowDays?: number;
  /** Explicit credentials instead of the SDK's default chain. @default the SDK's default credential chain */
  credentials?: AwsStaticCredentials;
  /** First backoff delay before a retry, in milliseconds (doubles per retry, full jitter). @default 100 */
  retryBaseDelayMs?: number;
  /** Longest wait before one retry, `Retry-After` included, in milliseconds. @default 5000 */
  retryMaxDelayMs?: number;
  /** Consecutive UNAVAILABLE calls after which the provider fails fast. @default 5 */
  circuitBreakerThreshold?: number;
  /** How long the provider fails fast once the breaker opened, in milliseconds. @default 30000 */
  circuitBreakerCooldownMs?: number;
}

/** Options with every default applied and validated. */
export interface ResolvedAwsOptions {
  /** See {@link AwsSecretsManagerOptions.name}. */
  name: string;
  /** See {@link AwsSecretsManagerOptions.region}. */
  region: string | undefined;
  /** See {@link AwsSecretsManagerOptions.endpoint}. */
  endpoint: string | undefined;
  /** See {@link AwsSecretsManagerOptions.profile}. */
  profile: string | undefined;
  /** Prefix, ending with `/` unless empty. */
  prefix: string;
  /** See {@link AwsSecretsManagerOptions.layout}. */
  layout: AwsLayout;
  /** See {@link AwsSecretsManagerOptions.cacheTtlSeconds}. */
  cacheTtlSeconds: number;
  /** See {@link AwsSecretsManagerOptions.maxRetries}. */
  maxRetries: number;
  /** See {@link AwsSecretsManagerOptions.timeoutMs}. */
  timeoutMs: number;
  /** See {@link AwsSecretsManagerOptions.recoveryWindowDays}. */
  recoveryWindowDays: number;
  /** See {@link AwsSecretsManagerOptions.credentials}. */
  credentials: AwsStaticCredentials | undefined;
  /** See {@link AwsSecretsManagerOptions.retryBaseDelayMs}. */
  retryBaseDelayMs: number;
  /** See {@link AwsSecretsManagerOptions.retryMaxDelayMs}. */
  retryMaxDelayMs: number;
  /** See {@link AwsSecretsManagerOptions.circuitBreakerThreshold}. */
  circuitBreakerThreshold: number;
  /** See {@link AwsSecretsManagerOptions.circuitBreakerCooldownMs}. */
  circuitBreakerCooldownMs: number;
}

/** Every option of {@link AwsSecretsManagerOptions} (the compiler checks the list is complete). */
const AWS_OPTION_NAMES: OptionNames<AwsSecretsManagerOptions> = {
  name: true,
  region: true,
  endpoint: true,
  profile: true,
  prefix: true,
  layout: true,
  cacheTtlSeconds: true,
  maxRetries: true,
  timeoutMs: true,
  recoveryWindowDays: true,
  credentials: true,
  retryBaseDelayMs: true,
  retryMaxDelayMs: true,
  circuitBreakerThreshold: true,
  circuitBreakerCooldownMs: true,
};

/** Characters AWS allows in a secret name. */
export const AWS_NAME_CHARS = /^[A-Za-z0-9/_+=.@-]*$/;

function configError(field: string, message: string): CofferError {
  return new CofferError("CONFIG", `aws-secrets-manager: ${message}`, { field, rule: "aws-secrets-manager options" });
}

function integer(field: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw configError(field, `${field} must be an integer from ${min} to ${max}`);
  }
  return value;
}

function optionalText(field: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.trim() === "") throw configError(field, `${field} must be a non-empty string`);
  return value;
}

/**
 * Apply defaults and validate the options.
 * @throws CofferError CONFIG naming the offending field (an unknown option included).
 */
export function resolveAwsOptions(options: AwsSecretsManagerOptions = {}): ResolvedAwsOptions {
  if (options === null || typeof options !== "object") {
    throw configError("options", "options must be an object");
  }
  checkProviderOptionNames("aws-secrets-manager", options, AWS_OPTION_NAMES);
  const name = optionalText("name", options.name) ?? "aws-secrets-manager";
  const endpoint = optionalText("endpoint", options.endpoint);
  if (endpoint !== undefined) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw configError("endpoint", "endpoint must be an http(s) URL");
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw configError("endpoint", "endpoint must be an http(s) URL");
    }
  }
  let prefix = options.prefix ?? "coffer/";
  if (typeof prefix !== "string" || !AWS_NAME_CHARS.test(prefix) || prefix.startsWith("/")) {
    throw configError(
      "prefix",
      "prefix may only hold the characters A-Z a-z 0-9 / _ + = . @ - and must not start with /",
    );
  }
  if (prefix !== "" && !prefix.endsWith("/")) prefix += "/";
  if (prefix.length > 256) throw configError("prefix", "prefix must be at most 256 characters");
  const layout = options.layout ?? "scoped";
  if (!AWS_LAYOUTS.includes(layout)) {
    throw configError("layout", `layout must be one of: ${AWS_LAYOUTS.join(", ")}`);
  }
  const credentials = options.credentials;
  if (credentials !== undefined) {
    if (
      typeof credentials !== "object" ||
      credentials === null ||
      typeof credentials.accessKeyId !== "string" ||
      credentials.accessKeyId === "" ||
      typeof credentials.secretAccessKey !== "string" ||
      credentials.secretAccessKey === ""
    ) {
      throw configError("credentials", "credentials need a non-empty accessKeyId and secretAccessKey");
    }
  }
  return {
    name,
    region: optionalText("region", options.region),
    endpoint,
    profile: optionalText("profile", options.profile),
    prefix,
    layout,
    cacheTtlSeconds: integer("cacheTtlSeconds", options.cacheTtlSeconds, 300, 0, 86_400),
    maxRetries: integer("maxRetries", options.maxRetries, 3, 0, 10),
    timeoutMs: integer("timeoutMs", options.timeoutMs, 5_000, 1, 300_000),
    recoveryWindowDays: integer("recoveryWindowDays", options.recoveryWindowDays, 7, 7, 30),
    credentials,
    retryBaseDelayMs: integer("retryBaseDelayMs", options.retryBaseDelayMs, 100, 0, 60_000),
    retryMaxDelayMs: integer("retryMaxDelayMs", options.retryMaxDelayMs, 5_000, 0, 300_000),
    circuitBreakerThreshold: integer("circuitBreakerThreshold", options.circuitBreakerThreshold, 5, 1, 1_000),
    circuitBreakerCooldownMs: integer(
      "circuitBreakerCooldownMs",
      options.circuitBreakerCooldownMs,
      30_000,
      0,
      3_600_000,
    ),
  };
}
