import type * as Sdk from "@aws-sdk/client-secrets-manager";
import { backoffSleep, type CircuitBreaker, CofferError, retryDelayMs } from "@coffer/core";
import type { ResolvedAwsOptions } from "../options.js";
import { describeAwsFailure, toCofferErrorFromAws } from "./aws-error.js";

type SdkModule = typeof import("@aws-sdk/client-secrets-manager");

/** Input and output types of every AWS operation the provider uses. */
export interface AwsOperations {
  /** Values of up to 20 secrets. */
  BatchGetSecretValue: [Sdk.BatchGetSecretValueCommandInput, Sdk.BatchGetSecretValueCommandOutput];
  /** Create a secret with its first version. */
  CreateSecret: [Sdk.CreateSecretCommandInput, Sdk.CreateSecretCommandOutput];
  /** Schedule deletion or delete at once. */
  DeleteSecret: [Sdk.DeleteSecretCommandInput, Sdk.DeleteSecretCommandOutput];
  /** Metadata, tags and labelled versions of a secret. */
  DescribeSecret: [Sdk.DescribeSecretCommandInput, Sdk.DescribeSecretCommandOutput];
  /** Value of one version. */
  GetSecretValue: [Sdk.GetSecretValueCommandInput, Sdk.GetSecretValueCommandOutput];
  /** Every version of a secret. */
  ListSecretVersionIds: [Sdk.ListSecretVersionIdsCommandInput, Sdk.ListSecretVersionIdsCommandOutput];
  /** Secrets with metadata, filtered and paged. */
  ListSecrets: [Sdk.ListSecretsCommandInput, Sdk.ListSecretsCommandOutput];
  /** Add a version. */
  PutSecretValue: [Sdk.PutSecretValueCommandInput, Sdk.PutSecretValueCommandOutput];
  /** Cancel a scheduled deletion. */
  RestoreSecret: [Sdk.RestoreSecretCommandInput, Sdk.RestoreSecretCommandOutput];
  /** Add or overwrite tags. */
  TagResource: [Sdk.TagResourceCommandInput, Sdk.TagResourceCommandOutput];
  /** Remove tags. */
  UntagResource: [Sdk.UntagResourceCommandInput, Sdk.UntagResourceCommandOutput];
  /** Change the description (no new version when no value is given). */
  UpdateSecret: [Sdk.UpdateSecretCommandInput, Sdk.UpdateSecretCommandOutput];
  /** Move a staging label. */
  UpdateSecretVersionStage: [Sdk.UpdateSecretVersionStageCommandInput, Sdk.UpdateSecretVersionStageCommandOutput];
}

/** One of the AWS operations the provider uses. */
export type AwsOperation = keyof AwsOperations;

/** Per-call options. */
export interface AwsCallOptions {
  /** Coffer name concerned (for error messages). */
  name?: string;
  /** Retries for this call. @default the provider's maxRetries */
  retries?: number;
}

/**
 * The one door to AWS: loads the SDK on first use, and runs every call with a per-attempt
 * timeout, retries of transient failures (backoff with jitter, `Retry-After` honoured) and a
 * circuit breaker. Failures come out as CofferErrors.
 */
export class SecretsManagerApi {
  private loaded: Promise<{ sdk: SdkModule; client: Sdk.SecretsManagerClient }> | undefined;

  private readonly options: ResolvedAwsOptions;
  private readonly breaker: CircuitBreaker;

  constructor(options: ResolvedAwsOptions, breaker: CircuitBreaker) {
    this.options = options;
    this.breaker = breaker;
  }

  private load(): Promise<{ sdk: SdkModule; client: Sdk.SecretsManagerClient }> {
    this.loaded ??= (async () => {
      let sdk: SdkModule;
      try {
        sdk = await import("@aws-sdk/client-secrets-manager");
      } catch (err) {
        this.loaded = undefined;
        throw new CofferError(
          "CONFIG",
          `${this.options.name}: cannot load @aws-sdk/client-secrets-manager`,
          { provider: this.options.name, hint: "install @aws-sdk/client-secrets-manager next to @coffer/provider-aws" },
          { cause: err },
        );
      }
      const config: Sdk.SecretsManagerClientConfig = { maxAttempts: 1 };
      if (this.options.region !== undefined) config.region = this.options.region;
      if (this.options.endpoint !== undefined) config.endpoint = this.options.endpoint;
      if (this.options.profile !== undefined) config.profile = this.options.profile;
      if (this.options.credentials !== undefined) config.credentials = { ...this.options.credentials };
      return { sdk, client: new sdk.SecretsManagerClient(config) };
    })();
    return this.loaded;
  }

  /**
   * Run one AWS operation.
   * @throws CofferError NOT_FOUND, PERMISSION_DENIED, UNAVAILABLE (after retries, or while the breaker is open), ...
   */
  async call<K extends AwsOperation>(
    operation: K,
    input: AwsOperations[K][0],
    callOptions: AwsCallOptions = {},
  ): Promise<AwsOperations[K][1]> {
    const context = { provider: this.options.name, operation, name: callOptions.name };
    this.breaker.assertClosed();
    const { sdk, client } = await this.load();
    const Command = (sdk as unknown as Record<string, new (input: unknown) => unknown>)[`${operation}Command`];
    if (Command === undefined)
      throw new CofferError("INTERNAL", `${this.options.name}: unknown operation ${operation}`);
    const retries = callOptions.retries ?? this.options.maxRetries;
    const policy = { baseDelayMs: this.options.retryBaseDelayMs, maxDelayMs: this.options.retryMaxDelayMs };
    for (let attempt = 0; ; attempt++) {
      const signal = AbortSignal.timeout(this.options.timeoutMs);
      try {
        const send = client.send as (command: unknown, options: { abortSignal: AbortSignal }) => Promise<unknown>;
        const output = (await send.call(client, new Command(input), { abortSignal: signal })) as AwsOperations[K][1];
        this.breaker.recordSuccess();
        return output;
      } catch (err) {
        const timedOut = signal.aborted;
        const failure = timedOut ? { code: "TimeoutError", transient: true } : describeAwsFailure(err);
        if (!failure.transient) {
          if ("status" in failure && failure.status !== undefined) this.breaker.recordSuccess();
          throw toCofferErrorFromAws(err, context, attempt + 1);
        }
        if (attempt >= retries) {
          this.breaker.recordFailure();
          if (timedOut) {
            throw new CofferError(
              "UNAVAILABLE",
              `${this.options.name}: ${operation}${callOptions.name === undefined ? "" : ` for ${JSON.stringify(callOptions.name)}`} timed out after ${this.options.timeoutMs} ms (${attempt + 1} attempts)`,
              {
                provider: this.options.name,
                awsCode: "TimeoutError",
                ...(callOptions.name ? { name: callOptions.name } : {}),
              },
            );
          }
          throw toCofferErrorFromAws(err, context, attempt + 1);
        }
        await backoffSleep(retryDelayMs(policy, attempt, "retryAfterMs" in failure ? failure.retryAfterMs : undefined));
      }
    }
  }

  /** Close the SDK client's connections. */
  async destroy(): Promise<void> {
    const loaded = this.loaded;
    this.loaded = undefined;
    if (loaded) {
      try {
        (await loaded).client.destroy();
      } catch {
        // never loaded successfully
      }
    }
  }
}
