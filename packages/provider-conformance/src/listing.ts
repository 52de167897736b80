import type { Page, ProviderListQuery, SecretMetadata } from "@coffer/core";
import type { CaseContext } from "./case-context.js";
import { describeResult } from "./coffer-error-expectations.js";
import { ConformanceViolation } from "./conformance-violation.js";

/** A listing gathered across pages, with how many pages it took. */
export interface GatheredListing {
  /** Every item of every page, in order. */
  items: SecretMetadata[];
  /** Number of pages fetched. */
  pages: number;
}

/**
 * Follow `nextCursor` until the last page, checking each page's shape. Stops with a violation
 * instead of looping forever when a provider keeps handing out cursors.
 * @throws ConformanceViolation on a malformed page, a page over the limit, or a cursor loop
 */
export async function listAllPages(
  ctx: CaseContext,
  query: Omit<ProviderListQuery, "cursor">,
  maxPages = 50,
): Promise<GatheredListing> {
  const list = ctx.provider.list;
  if (typeof list !== "function")
    throw new ConformanceViolation("capabilities.list is true but provider.list is missing");
  const items: SecretMetadata[] = [];
  const seenCursors = new Set<string>();
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const page: Page<SecretMetadata> = await list.call(
      ctx.provider,
      cursor === undefined ? query : { ...query, cursor },
    );
    pages++;
    if (page === null || typeof page !== "object" || !Array.isArray(page.items)) {
      throw new ConformanceViolation(`list returned ${describeResult(page)} instead of a page with items`);
    }
    if (query.limit !== undefined && page.items.length > query.limit) {
      throw new ConformanceViolation(`list returned ${page.items.length} items on a page limited to ${query.limit}`);
    }
    items.push(...page.items);
    if (page.nextCursor === undefined) return { items, pages };
    if (typeof page.nextCursor !== "string" || page.nextCursor.length === 0) {
      throw new ConformanceViolation(
        `list returned nextCursor ${describeResult(page.nextCursor)}; it must be a non-empty string or absent`,
      );
    }
    if (seenCursors.has(page.nextCursor)) {
      throw new ConformanceViolation("list returned a cursor it had already returned: paging would never end");
    }
    if (pages >= maxPages) {
      throw new ConformanceViolation(`list still returned a cursor after ${maxPages} pages: paging does not end`);
    }
    seenCursors.add(page.nextCursor);
    cursor = page.nextCursor;
  }
}
