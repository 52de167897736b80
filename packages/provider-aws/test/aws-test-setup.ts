import { randomBytes } from "node:crypto";
import { type MotoServer, motoUnavailableReason, startMoto } from "@coffer/test-emulators";
import { type AwsSecretsManagerOptions, type AwsSecretsManagerProvider, awsSecretsManager } from "../src/index.js";

/** Fake credentials moto accepts; passed explicitly, never read from the environment. */
export const TEST_CREDENTIALS = { accessKeyId: "testing", secretAccessKey: "testing" } as const;
/** Region used against moto. */
export const TEST_REGION = "us-east-1";

/**
 * Why the moto-backed suites are skipped here (printed loudly), or undefined when moto can run.
 * Under CI=true this is always undefined, so a missing moto fails instead of skipping.
 */
export const MOTO_SKIP_REASON = motoUnavailableReason();

/** A prefix unique to one test, so tests sharing a moto never see each other's secrets. */
export function uniquePrefix(label: string): string {
  return `t-${label}-${randomBytes(4).toString("hex")}/`;
}

/** A provider pointed at `endpoint` with fake credentials and test-friendly timings. */
export function testProvider(endpoint: string, options: AwsSecretsManagerOptions = {}): AwsSecretsManagerProvider {
  return awsSecretsManager({
    region: TEST_REGION,
    endpoint,
    credentials: { ...TEST_CREDENTIALS },
    retryBaseDelayMs: 20,
    retryMaxDelayMs: 2_000,
    ...options,
  });
}

export { type MotoServer, startMoto };
