import { randomBytes } from "node:crypto";
import { isCofferError, validateSecretName } from "@coffer/core";
import { CONFORMANCE_CASE_NAMES, type ConformanceCaseName, isConformanceCaseName } from "./case-names.js";
import type { ConformanceOptions } from "./conformance-subject.js";

/** Conformance options with every default applied and every value checked. */
export interface ResolvedConformanceOptions {
  /** Cases the provider declared it cannot pass. */
  skip: ReadonlySet<ConformanceCaseName>;
  /** Page size of the paging case. */
  listPageSize: number;
  /** Prefix of every generated secret name. */
  keyPrefix: string;
  /** Time limit of one case, in milliseconds. */
  timeoutMs: number;
}

/**
 * Apply defaults and check the options, so a typo in `skip` fails loudly instead of silently
 * running (or not running) a case.
 * @throws Error on an unknown case name, a bad page size or timeout, or a prefix that cannot start a secret name
 */
export function resolveConformanceOptions(options: ConformanceOptions = {}): ResolvedConformanceOptions {
  const skip = new Set<ConformanceCaseName>();
  for (const name of options.skip ?? []) {
    if (!isConformanceCaseName(name)) {
      throw new Error(
        `conformance option skip names an unknown case ${JSON.stringify(name)}; known cases: ${CONFORMANCE_CASE_NAMES.join(", ")}`,
      );
    }
    skip.add(name);
  }
  const listPageSize = options.listPageSize ?? 25;
  if (!Number.isInteger(listPageSize) || listPageSize < 1 || listPageSize > 100) {
    throw new Error("conformance option listPageSize must be an integer from 1 to 100");
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new Error("conformance option timeoutMs must be a positive number of milliseconds");
  }
  const keyPrefix = options.keyPrefix ?? `cf_${randomBytes(4).toString("hex")}_`;
  try {
    validateSecretName(`${keyPrefix}x`);
  } catch (err) {
    const reason = isCofferError(err) ? err.message : "it is not a valid secret name prefix";
    throw new Error(`conformance option keyPrefix ${JSON.stringify(keyPrefix)} cannot start a secret name: ${reason}`);
  }
  if (keyPrefix.length > 48) throw new Error("conformance option keyPrefix must be at most 48 characters");
  return { skip, listPageSize, keyPrefix, timeoutMs };
}
