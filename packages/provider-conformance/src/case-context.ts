import { randomBytes } from "node:crypto";
import {
  GLOBAL_SCOPE,
  type Provider,
  type ProviderCapabilities,
  type ProviderSetOptions,
  type ScopeKind,
  type ScopeRef,
  type SecretAddress,
  type SecretMetadata,
  type SecretWrite,
  toEnvVarName,
} from "@coffer/core";
import type { ConformanceCaseName } from "./case-names.js";
import type { ConformanceSubject, SeedEntry } from "./conformance-subject.js";
import { ConformanceViolation } from "./conformance-violation.js";
import type { ResolvedConformanceOptions } from "./resolved-options.js";

/** Writes the suite issues at once when it fills a writable provider with many secrets. */
const PARALLEL_WRITES = 8;

let contextSequence = 0;

/** What one case run sees: the provider, fresh unique names, and ways to put secrets in place. */
export interface CaseContext {
  /** The case being run. */
  readonly caseName: ConformanceCaseName;
  /** The provider under test. */
  readonly provider: Provider;
  /** Its declared capabilities. */
  readonly capabilities: ProviderCapabilities;
  /** True when `capabilities.write` is false: secrets are seeded instead of written. */
  readonly readOnly: boolean;
  /** True when secrets can be put in place (a writable provider, or a subject with `seed`). */
  readonly canPut: boolean;
  /** Page size of the paging case. */
  readonly listPageSize: number;
  /** Every value this case generated, checked against error messages. */
  readonly secretValues: readonly string[];
  /** A name no other case or run uses; `label` keeps it readable. Env-var style for read-only providers. */
  name(label: string): string;
  /** A fresh random value, remembered for leak checks. */
  value(label: string): string;
  /** Remember a value built by the case itself, for leak checks; returns it. */
  remember(value: string): string;
  /** A scope of `kind` with an id unique to this case (`variant` gives a second, different one). */
  scope(kind: ScopeKind, variant?: string): ScopeRef;
  /** The default-state global address of `name`. */
  address(name: string, extra?: Partial<SecretAddress>): SecretAddress;
  /** Make the provider hold these secrets: through `set`, or through the subject's `seed` when read-only. */
  put(entries: SeedEntry[]): Promise<void>;
  /** Call `provider.set`, failing clearly when it is missing. */
  set(address: SecretAddress, write: SecretWrite, options?: ProviderSetOptions): Promise<SecretMetadata>;
}

/** Build the context of one case run. */
export function createCaseContext(
  caseName: ConformanceCaseName,
  subject: ConformanceSubject,
  options: ResolvedConformanceOptions,
): CaseContext {
  const { provider } = subject;
  const capabilities = provider.capabilities;
  const readOnly = capabilities?.write !== true;
  const sequence = ++contextSequence;
  const secretValues: string[] = [];
  let nameCounter = 0;

  const set = async (address: SecretAddress, write: SecretWrite, setOptions?: ProviderSetOptions) => {
    if (typeof provider.set !== "function") {
      throw new ConformanceViolation("capabilities.write is true but provider.set is missing");
    }
    return provider.set(address, write, setOptions);
  };

  const context: CaseContext = {
    caseName,
    provider,
    capabilities,
    readOnly,
    canPut: !readOnly || typeof subject.seed === "function",
    listPageSize: options.listPageSize,
    secretValues,
    name(label) {
      nameCounter += 1;
      const raw = `${options.keyPrefix}${caseName}${sequence}_${label}_${nameCounter}`;
      return readOnly ? toEnvVarName(raw) : raw;
    },
    value(label) {
      return context.remember(`val-${label}-${randomBytes(12).toString("hex")}`);
    },
    remember(value) {
      secretValues.push(value);
      return value;
    },
    scope(kind, variant = "a") {
      if (kind === "global") return GLOBAL_SCOPE;
      const id = `${options.keyPrefix}${caseName}${sequence}-${variant}`;
      return { kind, id: kind === "project" ? `/tmp/coffer-conformance/${id}` : id };
    },
    address(name, extra = {}) {
      return { name, scope: GLOBAL_SCOPE, ...extra };
    },
    async put(entries) {
      for (const entry of entries) context.remember(entry.value);
      if (readOnly) {
        if (typeof subject.seed !== "function") {
          throw new ConformanceViolation(
            "the provider is read-only (capabilities.write is false), so the conformance subject must provide seed(entries) for the read cases",
          );
        }
        await subject.seed(entries.map((entry) => ({ ...entry })));
        return;
      }
      for (let i = 0; i < entries.length; i += PARALLEL_WRITES) {
        await Promise.all(
          entries
            .slice(i, i + PARALLEL_WRITES)
            .map((entry) => set(context.address(entry.name), { value: entry.value, encoding: "utf-8" })),
        );
      }
    },
    set,
  };
  return context;
}
