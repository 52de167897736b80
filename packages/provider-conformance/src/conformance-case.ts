import type { CaseContext } from "./case-context.js";
import { createCaseContext } from "./case-context.js";
import type { ConformanceCaseName } from "./case-names.js";
import type { ConformanceSubject } from "./conformance-subject.js";
import { ConformanceViolation } from "./conformance-violation.js";
import type { ResolvedConformanceOptions } from "./resolved-options.js";

/** Whether a provider can do what a case checks, and the capability that says so. */
export interface CaseSupport {
  /** True when the case applies to this provider. */
  supported: boolean;
  /** The deciding fact, for example `capabilities.softDelete is false`. */
  reason: string;
}

/** Result of checking that a provider truthfully lacks a capability. */
export type UnsupportedCheck = "verified" | "nothing-to-check";

/** One case of the suite. */
export interface ConformanceCase {
  /** Stable name, accepted by `ConformanceOptions.skip`. */
  readonly name: ConformanceCaseName;
  /** What the case checks, in a few words (shown in the test title). */
  readonly title: string;
  /** Multiplier of the per-case time limit, for cases that make many calls. @default 1 */
  readonly timeoutFactor?: number;
  /** When the case depends on a capability: whether this provider has it. Absent: every provider must pass. */
  support?(ctx: CaseContext): CaseSupport;
  /** Check the behaviour. Throws when the provider breaks the contract. */
  run(ctx: CaseContext): Promise<void>;
  /**
   * Check that a provider without the capability says so truthfully (method absent or
   * UNSUPPORTED). Resolves to `nothing-to-check` when nothing applies to this provider.
   */
  verifyUnsupported?(ctx: CaseContext): Promise<UnsupportedCheck>;
  /** For a case without a capability flag that a provider may still skip: what it must do instead. */
  verifySkipped?(ctx: CaseContext): Promise<void>;
}

/** How a case run ended (a violated contract throws instead). */
export type CaseOutcome =
  /** The behaviour was checked and holds. */
  | { status: "passed" }
  /** The provider lacks the capability and its capabilities and methods say so truthfully. */
  | { status: "unsupported-verified"; reason: string }
  /** Nothing can be checked for this provider (the reason says why). */
  | { status: "not-applicable"; reason: string };

/**
 * Run one case against a subject, honouring the skip list: a skipped case must be backed by a
 * capability that says the provider cannot do it.
 * @throws ConformanceViolation or an assertion error when the provider breaks the contract
 */
export async function runConformanceCase(
  conformanceCase: ConformanceCase,
  subject: ConformanceSubject,
  options: ResolvedConformanceOptions,
): Promise<CaseOutcome> {
  const ctx = createCaseContext(conformanceCase.name, subject, options);
  const skipped = options.skip.has(conformanceCase.name);
  const support = conformanceCase.support?.(ctx);

  if (support === undefined && skipped) {
    if (!conformanceCase.verifySkipped) {
      throw new ConformanceViolation(
        `case "${conformanceCase.name}" is listed in skip, but every provider must pass it`,
      );
    }
    await conformanceCase.verifySkipped(ctx);
    return { status: "unsupported-verified", reason: `skipped by the provider; its alternative was checked` };
  }
  if (support?.supported === true && skipped) {
    throw new ConformanceViolation(
      `case "${conformanceCase.name}" is listed in skip, but ${support.reason}: a provider that cannot do it must say so in its capabilities`,
    );
  }
  if (support?.supported === false) {
    const checked = await conformanceCase.verifyUnsupported?.(ctx);
    if (conformanceCase.verifyUnsupported === undefined || checked === "nothing-to-check") {
      return { status: "not-applicable", reason: support.reason };
    }
    return { status: "unsupported-verified", reason: support.reason };
  }
  await conformanceCase.run(ctx);
  return { status: "passed" };
}

/** Support decided by one boolean. */
export function supportedWhen(supported: boolean, reasonWhenTrue: string, reasonWhenFalse: string): CaseSupport {
  return { supported, reason: supported ? reasonWhenTrue : reasonWhenFalse };
}

/** Support decided by one capability flag. */
export function capabilitySupport(
  ctx: CaseContext,
  flag:
    | "write"
    | "delete"
    | "softDelete"
    | "purge"
    | "list"
    | "versions"
    | "conditionalWrite"
    | "binary"
    | "metadata"
    | "envs",
): CaseSupport {
  const value = ctx.capabilities[flag] === true;
  return { supported: value, reason: `capabilities.${flag} is ${value}` };
}
