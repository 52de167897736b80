import { asProviderError } from "../../chain/fallback-chain.js";
import { CofferError } from "../../errors/index.js";
import { parseScopeKey, scopeKey } from "../../model/scope.js";
import type { SecretMetadata } from "../../model/secret.js";
import { cachedGlob } from "../../names/name-glob.js";
import { ALLOW_ALL_POLICY, type PolicyAction } from "../../policy/policy.js";
import type { ListPosition, Provider, ProviderListQuery } from "../../provider/provider.js";
import type { OperationContext } from "../context.js";
import type { ListItem, ListOptions, ListResult } from "../types.js";

/** `list`: metadata of the secrets this caller may read (never values). */
export async function listSecrets(ctx: OperationContext, options: ListOptions = {}): Promise<ListResult> {
  try {
    await ctx.guard.require({ action: "read" });
    const result = await listVisible(ctx, options, "read");
    // A store that cannot be opened (no key, the wrong key, a bad option) is not an outage to
    // list around: an empty listing would look like an empty store. (health and scan report it.)
    const broken = result.errors.find((e) => e.code === "CONFIG" || e.code === "INTEGRITY");
    if (broken?.code)
      throw new CofferError(broken.code, broken.message ?? "the store cannot be opened", { provider: broken.provider });
    return result;
  } catch (err) {
    return ctx.failure("list", err);
  }
}

/** The largest page a source is asked for at once (the local store's maximum). */
const MAX_SOURCE_PAGE = 1000;

/**
 * Listing filtered to what this caller may `visibleTo` (silently: no denial is recorded).
 *
 * Keyset paging: each provider lists in (scope, name, env) order, and the page is a k-way merge of
 * their pages that reads only what it needs. The cursor is the last (scope, name) the page
 * covered; the next page asks every provider to start after it. Filters that hide items (policy,
 * pattern, env, expiry) make the merge read on until the page is full or the providers end.
 */
export async function listVisible(
  ctx: OperationContext,
  options: ListOptions,
  visibleTo: PolicyAction,
): Promise<ListResult> {
  const chain = ctx.state.chain;
  const limit = options.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 10000)
    throw new CofferError("INVALID_ARGUMENT", "limit must be from 1 to 10000", { field: "limit" });
  const start = options.cursor === undefined ? undefined : decodeListCursor(options.cursor);
  const env = ctx.envName(options.env);
  const namePattern = options.pattern ? cachedGlob(options.pattern) : undefined;
  const entries = options.provider
    ? [{ provider: chain.provider(options.provider), priority: chain.priorityOf(options.provider) }]
    : chain.entries;
  const errors: ListResult["errors"] = [];
  const base: ProviderListQuery = {
    ...(options.includeDeleted ? { includeDeleted: true } : {}),
    ...(options.scope === "global" ? { scope: { kind: "global" } } : {}),
  };
  const sources: ListSource[] = [];
  for (const { provider } of entries) {
    if (!provider.list || !provider.capabilities.list) continue;
    if (chain.offline && provider.capabilities.remote) {
      errors.push({ provider: provider.name, outcome: "skipped", message: "offline: not contacted" });
      continue;
    }
    sources.push(new ListSource(provider, base, start?.after, Math.min(limit + 1, MAX_SOURCE_PAGE)));
  }
  const failed = (source: ListSource, err: unknown) => {
    const e = asProviderError(err, source.provider.name);
    if (chain.policy === "strict") throw e;
    errors.push({ provider: source.provider.name, outcome: "error", code: e.code, message: e.message });
    source.close();
  };
  const heads = async () => {
    await Promise.all(sources.map((s) => s.head().catch((err: unknown) => failed(s, err))));
    let min: SourceKey | undefined;
    for (const s of sources) {
      const k = s.headKey();
      if (k && (!min || compareKeys(k, min) < 0)) min = k;
    }
    return min;
  };

  const now = ctx.now();
  // Every provider's states at `key`, in priority order: the first holder wins, the rest are shadowed.
  const itemsAt = async (key: SourceKey, from: ListSource[]): Promise<ListItem[]> => {
    const candidates: ListItem[] = [];
    let winner: string | undefined;
    for (const source of from) {
      let states: SecretMetadata[];
      try {
        states = await source.take(key);
      } catch (err) {
        failed(source, err);
        continue;
      }
      let item: ListItem | undefined;
      for (const meta of states) {
        if (options.scope && meta.scope.kind !== options.scope) continue;
        if (namePattern && !namePattern.test(meta.name)) continue;
        if (options.tags && options.tags.length > 0 && !options.tags.every((t) => meta.tags?.includes(t))) continue;
        if (!item) {
          winner ??= source.provider.name;
          item = Object.assign(ctx.view(meta, undefined, now) as ListItem, {
            envs: [] as string[],
            shadowed: winner !== source.provider.name,
          });
        } else if (meta.env === undefined) {
          // The default state describes the secret; an env state listed first only held its place.
          const { envs, shadowed } = item;
          item = Object.assign(ctx.view(meta, undefined, now) as ListItem, { envs, shadowed });
        }
        item.envs.push(meta.env ?? "default");
      }
      if (item) candidates.push(item);
    }
    const visible: ListItem[] = [];
    for (const item of candidates) if (await shown(ctx, item, options, env, visibleTo)) visible.push(item);
    return visible;
  };

  const page: ListItem[] = [];
  let last: { key: SourceKey; skip: number } | undefined;
  let more = false;
  // Take a key's visible items, as many as fit; a key that does not fit whole is resumed at.
  const fill = (key: SourceKey, visible: ListItem[], skipped: number): boolean => {
    const rest = visible.slice(skipped);
    const room = limit - page.length;
    page.push(...rest.slice(0, room));
    if (rest.length > room) {
      last = { key, skip: skipped + room };
      return false;
    }
    last = { key, skip: 0 };
    return true;
  };
  if (start && start.skip > 0) {
    // The previous page ended inside this key (more copies than the page had room for).
    const key = keyOf(start.after);
    const at = sources.map(
      (s) => new ListSource(s.provider, { ...base, scope: start.after.scope, prefix: start.after.name }, undefined, 10),
    );
    await Promise.all(at.map((s) => s.head().catch((err: unknown) => failed(s, err))));
    if (!fill(key, await itemsAt(key, at), start.skip)) more = true;
  } else if (start) last = { key: keyOf(start.after), skip: 0 };
  while (!more) {
    const key = await heads();
    if (!key) break;
    if (page.length >= limit || !fill(key, await itemsAt(key, sources), 0)) more = true;
  }
  const count = (start?.count ?? 0) + page.length;
  ctx.recordLater({ action: "list", success: true, details: { count: page.length } });
  const resume = last as { key: SourceKey; skip: number } | undefined;
  return {
    items: page,
    ...(more && resume ? { nextCursor: encodeListCursor(resume.key, resume.skip, count) } : { total: count }),
    errors,
  };
}

/** Whether a listed item passes the per-item filters and this caller may see it. */
async function shown(
  ctx: OperationContext,
  item: ListItem,
  options: ListOptions,
  env: string | undefined,
  visibleTo: PolicyAction,
): Promise<boolean> {
  if (env && !item.envs.includes(env)) return false;
  const decay = item.decay.state;
  if (decay === "hard-expired" && !options.includeExpired) return false;
  if (decay === "expired" && options.includeExpired === false) return false;
  if (!ctx.guard.agentAllowed(item)) return false;
  if (
    ctx.state.policy !== ALLOW_ALL_POLICY &&
    !(await ctx.guard.allows({ action: visibleTo, secret: item as unknown as SecretMetadata }))
  )
    return false;
  if (options.staleOnly && decay !== "stale" && decay !== "expired" && decay !== "hard-expired") return false;
  return true;
}

/** (scope key, name): the unit of list order. */
type SourceKey = readonly [string, string];

function keyOf(p: ListPosition | SecretMetadata): SourceKey {
  return [scopeKey(p.scope), p.name];
}

/** Code point order (the byte order of UTF-8, as SQLite compares text). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Surrogates (astral code points) sort above U+E000..U+FFFF.
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

function compareKeys(a: SourceKey, b: SourceKey): number {
  return compareCodePoints(a[0], b[0]) || compareCodePoints(a[1], b[1]);
}

/** One provider's listing read page by page, from a keyset start. */
class ListSource {
  #items: SecretMetadata[] = [];
  #pos = 0;
  #cursor: string | undefined;
  #ended = false;
  #size: number;
  readonly #after: SourceKey | undefined;
  readonly #query: ProviderListQuery;

  constructor(
    readonly provider: Provider,
    base: ProviderListQuery,
    after: ListPosition | undefined,
    size: number,
  ) {
    this.#size = size;
    this.#after = after ? keyOf(after) : undefined;
    this.#query = after ? { ...base, after } : base;
  }

  /** Load a page when the buffer is used up (skipping what precedes the start). */
  async head(): Promise<void> {
    while (this.#pos >= this.#items.length && !this.#ended) {
      const page = await this.provider.list!({
        ...this.#query,
        ...(this.#cursor ? { cursor: this.#cursor } : {}),
        limit: this.#size,
      });
      const after = this.#after;
      this.#items = after ? page.items.filter((m) => compareKeys(keyOf(m), after) > 0) : page.items;
      this.#pos = 0;
      this.#cursor = page.nextCursor;
      this.#ended = !page.nextCursor;
      // Filters may hide most items: read further ahead each time.
      this.#size = Math.min(this.#size * 2, MAX_SOURCE_PAGE);
    }
  }

  /** Key of the next state, if any (after {@link head}). */
  headKey(): SourceKey | undefined {
    const m = this.#items[this.#pos];
    return m ? keyOf(m) : undefined;
  }

  /** Every state at `key` (its env states), reading on across pages. */
  async take(key: SourceKey): Promise<SecretMetadata[]> {
    const out: SecretMetadata[] = [];
    for (;;) {
      await this.head();
      const m = this.#items[this.#pos];
      if (!m || compareKeys(keyOf(m), key) !== 0) return out;
      out.push(m);
      this.#pos++;
    }
  }

  /** Stop reading this source (it failed). */
  close(): void {
    this.#items = [];
    this.#pos = 0;
    this.#ended = true;
  }
}

// Cursor: `k.<scope key>.<name>.<count>[.<skip>]`, the text parts base64url: resume after that
// key, or at it skipping `skip` items. Any text of that shape decodes (the REST schema states the
// shape), so a cursor is either well formed or refused as a whole.
const CURSOR = /^k\.([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]*)\.(\d{1,15})(?:\.(\d{1,5}))?$/;

function encodeListCursor(last: SourceKey, skip: number, count: number): string {
  const text = (t: string) => Buffer.from(t).toString("base64url");
  return `k.${text(last[0])}.${text(last[1])}.${count}${skip > 0 ? `.${skip}` : ""}`;
}

function decodeListCursor(cursor: string): { after: ListPosition; count: number; skip: number } {
  const m = typeof cursor === "string" ? CURSOR.exec(cursor) : null;
  if (!m) throw new CofferError("INVALID_ARGUMENT", "cursor is not valid", { field: "cursor" });
  const scope = parseScopeKey(Buffer.from(m[1]!, "base64url").toString());
  const name = Buffer.from(m[2]!, "base64url").toString();
  return { after: { scope, name }, count: Number(m[3]), skip: Number(m[4] ?? 0) };
}
