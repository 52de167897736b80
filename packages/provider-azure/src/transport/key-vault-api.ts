import { readFileSync } from "node:fs";
import type { SecretClient } from "@azure/keyvault-secrets";
import { type CircuitBreaker, CofferError, isCofferError, quoteName } from "@coffer/core";
import type { AzureTokenCredential, ResolvedAzureOptions } from "../options.js";
import { type AzureOperation, toCofferErrorFromAzure } from "./azure-error.js";
import { type AzurePipelinePolicy, cofferRetryPolicy, extraCaPolicy } from "./pipeline-policies.js";

/** `Retry-After` longer than this ends the retries at once (UNAVAILABLE with the advice). */
const MAX_RETRY_AFTER_MS = 30_000;
const MAX_RETRY_DELAY_MS = 8_000;

/**
 * The one door to Azure Key Vault: loads the SDK (and the default credential) on first use,
 * sends every call through the circuit breaker, the retry and time-out policy and the extra CAs,
 * and translates failures into CofferErrors.
 */
export class KeyVaultApi {
  private clientPromise: Promise<SecretClient> | undefined;

  private readonly options: ResolvedAzureOptions;
  private readonly breaker: CircuitBreaker;

  constructor(options: ResolvedAzureOptions, breaker: CircuitBreaker) {
    this.options = options;
    this.breaker = breaker;
  }

  /**
   * One SDK call: circuit breaker, lazily created client, errors translated. `redact` lists texts
   * (the value being written) that must never appear in an error message.
   * @throws CofferError with the code of the Azure failure
   */
  call<T>(
    operation: AzureOperation,
    name: string | undefined,
    work: (secrets: SecretClient) => Promise<T>,
    redact?: readonly string[],
  ): Promise<T> {
    return this.breaker.run(async () => {
      const secrets = await this.client();
      try {
        return await work(secrets);
      } catch (err) {
        throw toCofferErrorFromAzure(err, {
          operation,
          provider: this.options.name,
          vaultUrl: this.options.vaultUrl,
          ...(name === undefined ? {} : { name }),
          ...(redact === undefined ? {} : { redact }),
        });
      }
    });
  }

  private client(): Promise<SecretClient> {
    this.clientPromise ??= this.createClient().catch((err: unknown) => {
      this.clientPromise = undefined;
      throw err;
    });
    return this.clientPromise;
  }

  private async defaultCredential(): Promise<AzureTokenCredential> {
    const { name, tenantId, clientId } = this.options;
    let identity: typeof import("@azure/identity");
    try {
      identity = await import("@azure/identity");
    } catch (err) {
      throw new CofferError(
        "CONFIG",
        "the azure-keyvault provider needs the @azure/identity package for its default credential",
        {
          provider: name,
          hint: "install @azure/identity or pass a credential",
        },
        { cause: err },
      );
    }
    return new identity.DefaultAzureCredential({
      ...(tenantId === undefined ? {} : { tenantId }),
      ...(clientId === undefined ? {} : { managedIdentityClientId: clientId, workloadIdentityClientId: clientId }),
    });
  }

  private readCas(): string[] {
    return this.options.extraCaCertificates.map((ca) => {
      if (ca.includes("-----BEGIN")) return ca;
      try {
        return readFileSync(ca, "utf8");
      } catch (err) {
        throw new CofferError(
          "CONFIG",
          `azure-keyvault cannot read the CA certificate file ${quoteName(ca)}`,
          {
            provider: this.options.name,
            field: "extraCaCertificates",
          },
          { cause: err },
        );
      }
    });
  }

  private async createClient(): Promise<SecretClient> {
    const options = this.options;
    let secrets: typeof import("@azure/keyvault-secrets");
    try {
      secrets = await import("@azure/keyvault-secrets");
    } catch (err) {
      throw new CofferError(
        "CONFIG",
        "the azure-keyvault provider needs the @azure/keyvault-secrets package",
        {
          provider: options.name,
        },
        { cause: err },
      );
    }
    const cas = this.readCas();
    const credential = options.credential ?? (await this.defaultCredential());
    const policies: { policy: AzurePipelinePolicy; position: "perCall" | "perRetry" }[] = [
      {
        policy: cofferRetryPolicy({
          maxRetries: options.maxRetries,
          retryDelayMs: options.retryDelayMs,
          maxRetryDelayMs: MAX_RETRY_DELAY_MS,
          maxRetryAfterMs: MAX_RETRY_AFTER_MS,
          attemptTimeoutMs: options.timeoutMs,
        }),
        position: "perCall",
      },
    ];
    if (cas.length > 0) policies.push({ policy: extraCaPolicy(cas), position: "perCall" });
    return new secrets.SecretClient(options.vaultUrl, credential, {
      serviceVersion: options.serviceVersion,
      disableChallengeResourceVerification: options.disableChallengeResourceVerification,
      retryOptions: { maxRetries: 0 },
      additionalPolicies: policies,
      userAgentOptions: { userAgentPrefix: "coffer" },
    });
  }
}

/** The result of `promise`, or undefined when it fails with NOT_FOUND. */
export async function orMissing<T>(promise: Promise<T>): Promise<T | undefined> {
  try {
    return await promise;
  } catch (err) {
    if (isCofferError(err, "NOT_FOUND")) return undefined;
    throw err;
  }
}

/** Every item of an SDK listing, in order. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}
