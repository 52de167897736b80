import { describeResult } from "../coffer-error-expectations.js";
import type { ConformanceCase } from "../conformance-case.js";
import { capabilitySupport } from "../conformance-case.js";
import { ConformanceViolation } from "../conformance-violation.js";
import { listAllPages } from "../listing.js";
import { expectMetadataWithoutValue } from "../secret-expectations.js";
import { verifyMethodUnsupported } from "../unsupported-expectations.js";

/** Secrets the paging case creates: more than one default page of 100. */
const PAGED_SECRETS = 105;

/** Listing more than 100 secrets page by page returns each exactly once, honouring prefix and limit. */
export const listPagingCase: ConformanceCase = {
  name: "list-paging",
  title: `list pages through ${PAGED_SECRETS} secrets, each exactly once`,
  timeoutFactor: 4,
  support: (ctx) => capabilitySupport(ctx, "list"),
  verifyUnsupported: (ctx) => verifyMethodUnsupported(ctx, "list"),
  async run(ctx) {
    const prefix = ctx.name("page");
    const entries = Array.from({ length: PAGED_SECRETS }, (_, i) => ({
      name: `${prefix}${ctx.readOnly ? "_N" : "-n"}${String(i).padStart(3, "0")}`,
      value: ctx.value(`page-${i}`),
    }));
    await ctx.put(entries);
    const expected = new Set(entries.map((entry) => entry.name));

    const { items, pages } = await listAllPages(ctx, { prefix, limit: ctx.listPageSize }, PAGED_SECRETS + 10);
    const seen = new Map<string, number>();
    for (const item of items) {
      if (typeof item?.name !== "string" || !item.name.startsWith(prefix)) {
        throw new ConformanceViolation(
          `list with prefix ${JSON.stringify(prefix)} returned an item named ${describeResult(item?.name)}`,
        );
      }
      expectMetadataWithoutValue("a listed item", item, { name: item.name }, ctx);
      seen.set(item.name, (seen.get(item.name) ?? 0) + 1);
    }
    const duplicated = [...seen].filter(([, count]) => count > 1).map(([name]) => name);
    if (duplicated.length > 0) {
      throw new ConformanceViolation(
        `paging returned ${duplicated.length} secret(s) more than once, e.g. ${duplicated[0]}`,
      );
    }
    const missing = [...expected].filter((name) => !seen.has(name));
    if (missing.length > 0) {
      throw new ConformanceViolation(
        `paging through ${pages} page(s) missed ${missing.length} of ${PAGED_SECRETS} secrets, e.g. ${missing[0]}`,
      );
    }
    const unexpected = [...seen.keys()].filter((name) => !expected.has(name));
    if (unexpected.length > 0) {
      throw new ConformanceViolation(`paging returned a secret that was never created: ${unexpected[0]}`);
    }
    if (pages < 2) {
      throw new ConformanceViolation(
        `${PAGED_SECRETS} secrets came back on one page although the limit was ${ctx.listPageSize}`,
      );
    }

    const first = await ctx.provider.list!({ prefix });
    if (!Array.isArray(first?.items) || first.items.length > 100) {
      throw new ConformanceViolation("list without a limit must return at most 100 items (the default page size)");
    }
    if (first.items.length < PAGED_SECRETS && first.nextCursor === undefined) {
      throw new ConformanceViolation(
        `list without a limit returned ${first.items.length} of ${PAGED_SECRETS} secrets and no nextCursor`,
      );
    }
  },
};
