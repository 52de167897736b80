import { type Coffer, createCoffer, type ListItem, type Provider } from "@coffer/core";
import { env } from "@coffer/provider-env";
import { local } from "@coffer/provider-local";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "./helpers.js";

const opened: Coffer[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()!.dispose();
});

/** Counts the items a provider's `list` returns. */
function counting(provider: Provider): () => number {
  let read = 0;
  const list = provider.list!.bind(provider);
  provider.list = async (q) => {
    const page = await list(q);
    read += page.items.length;
    return page;
  };
  return () => read;
}

async function storeWith(localNames: string[], envNames: string[]) {
  const store = local({ home: tempDir("coffer-list-"), masterKey: Buffer.alloc(32, 7).toString("base64") });
  const read = counting(store);
  const coffer = createCoffer({
    providers: [
      { provider: store, priority: 50 },
      {
        provider: env({ source: Object.fromEntries(envNames.map((n) => [`COFFER_SECRET_${n}`, `v-${n}`])) }),
        priority: 10,
      },
    ],
    cwd: tempDir("coffer-cwd-"),
    env: {},
  });
  opened.push(coffer);
  if (localNames.length > 0)
    await coffer.import(localNames.map((n) => `${n}=value-${n}`).join("\n"), { format: "env" });
  return { coffer, read };
}

async function allPages(coffer: Coffer, limit: number, pattern?: string): Promise<ListItem[][]> {
  const pages: ListItem[][] = [];
  let cursor: string | undefined;
  do {
    const page = await coffer.list({ limit, ...(cursor ? { cursor } : {}), ...(pattern ? { pattern } : {}) });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    pages.push(page.items);
    cursor = page.nextCursor;
    if (!cursor) expect(page.total).toBe(pages.flat().length);
    else expect(page.total).toBeUndefined();
  } while (cursor);
  return pages;
}

const nameArb = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,5}$/);

describe("list: keyset pages merged across providers", () => {
  it("pages in any size list every secret once, in name order, the local copy first and the env copy shadowed", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(nameArb, { maxLength: 25 }),
        fc.uniqueArray(nameArb, { maxLength: 25 }),
        fc.integer({ min: 1, max: 7 }),
        async (localNames, envNames, limit) => {
          const { coffer } = await storeWith(localNames, envNames);
          const rows = (await allPages(coffer, limit)).flat().map((i) => [i.name, i.provider, i.shadowed]);
          const expected = [
            ...localNames.map((n) => [n, "local", false]),
            ...envNames.map((n) => [n, "env", localNames.includes(n)]),
          ].sort((a, b) =>
            a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : (a[1] === "local" ? 0 : 1) - (b[1] === "local" ? 0 : 1),
          );
          expect(rows).toEqual(expected);
          await opened.pop()!.dispose();
        },
      ),
      { numRuns: 25 },
    );
  });

  it("a filter that hides most items still fills pages and ends", async () => {
    const names = Array.from({ length: 60 }, (_, i) => `K${String(i).padStart(3, "0")}`);
    const { coffer } = await storeWith(names, []);
    const pages = await allPages(coffer, 4, "K*5");
    expect(pages.flat().map((i) => i.name)).toEqual(names.filter((n) => n.endsWith("5")));
    expect(pages.slice(0, -1).every((p) => p.length === 4)).toBe(true);
  });

  it("the first page reads about a page from the store, not the store", async () => {
    const names = Array.from({ length: 300 }, (_, i) => `S${String(i).padStart(5, "0")}`);
    const { coffer, read } = await storeWith(names, []);
    const before = read();
    const page = await coffer.list({ limit: 10 });
    expect(page.items.map((i) => i.name)).toEqual(names.slice(0, 10));
    expect(page.nextCursor).toBeDefined();
    expect(read() - before).toBeLessThanOrEqual(11);
    const next = await coffer.list({ limit: 10, cursor: page.nextCursor! });
    expect(next.items.map((i) => i.name)).toEqual(names.slice(10, 20));
    expect(read() - before).toBeLessThanOrEqual(22);
  });

  it("refuses a cursor it did not issue", async () => {
    const { coffer } = await storeWith(["A"], []);
    await expect(coffer.list({ cursor: "o:12" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });
});
