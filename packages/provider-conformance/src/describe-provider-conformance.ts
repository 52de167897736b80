import { afterAll, beforeAll, describe, it } from "vitest";
import { runConformanceCase } from "./conformance-case.js";
import { CONFORMANCE_CASES } from "./conformance-cases.js";
import type { ConformanceOptions, ConformanceSubject } from "./conformance-subject.js";
import { resolveConformanceOptions } from "./resolved-options.js";

/**
 * Register the provider conformance suite with vitest: one test per case, run against the
 * subject `factory` builds once (before the first case). Cases a provider's capabilities rule
 * out instead check that the provider says so truthfully (method absent or UNSUPPORTED);
 * cases with nothing to check are reported as skipped with the reason.
 *
 * ```ts
 * describeProviderConformance("local", async () => {
 *   const home = await mkdtemp(join(tmpdir(), "coffer-"));
 *   return { provider: local({ home }), cleanup: () => rm(home, { recursive: true }) };
 * });
 * ```
 * @throws Error at registration when the options are invalid (for example an unknown case in `skip`)
 */
export function describeProviderConformance(
  name: string,
  factory: () => Promise<ConformanceSubject>,
  options: ConformanceOptions = {},
): void {
  const resolved = resolveConformanceOptions(options);
  describe(`${name} provider conformance`, () => {
    let subject: ConformanceSubject | undefined;

    beforeAll(async () => {
      subject = await factory();
    });

    afterAll(async () => {
      if (!subject) return;
      try {
        await subject.provider.dispose?.();
      } finally {
        await subject.cleanup?.();
      }
    });

    for (const conformanceCase of CONFORMANCE_CASES) {
      it(
        `${conformanceCase.name}: ${conformanceCase.title}`,
        async (context) => {
          if (!subject) throw new Error("the conformance factory did not produce a subject");
          const outcome = await runConformanceCase(conformanceCase, subject, resolved);
          if (outcome.status === "not-applicable") context.skip(outcome.reason);
          if (outcome.status === "unsupported-verified") {
            await context.annotate(`not supported, verified: ${outcome.reason}`);
          }
        },
        resolved.timeoutMs * (conformanceCase.timeoutFactor ?? 1),
      );
    }
  });
}
