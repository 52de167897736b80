import { asProviderError } from "../../chain/fallback-chain.js";
import { CofferError } from "../../errors/index.js";
import { scopeKey } from "../../model/scope.js";
import type { SecretMetadata } from "../../model/secret.js";
import { cachedGlob } from "../../names/name-glob.js";
import { ALLOW_ALL_POLICY, type PolicyAction } from "../../policy/policy.js";
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

/** Listing filtered to what this caller may `visibleTo` (silently: no denial is recorded). */
export async function listVisible(
  ctx: OperationContext,
  options: ListOptions,
  visibleTo: PolicyAction,
): Promise<ListResult> {
  const chain = ctx.state.chain;
  const limit = options.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 10000)
    throw new CofferError("INVALID_ARGUMENT", "limit must be from 1 to 10000", { field: "limit" });
  const env = ctx.envName(options.env);
  const namePattern = options.pattern ? cachedGlob(options.pattern) : undefined;
  const entries = options.provider
    ? [{ provider: chain.provider(options.provider), priority: chain.priorityOf(options.provider) }]
    : chain.entries;
  const errors: ListResult["errors"] = [];
  const groups = new Map<string, { item: ListItem; key: string }>();
  const ordered: Array<{ item: ListItem; key: string }> = [];
  const seenNameScope = new Map<string, string>(); // name+scope -> provider that wins
  const now = ctx.now();
  for (const { provider } of entries) {
    if (!provider.list || !provider.capabilities.list) continue;
    if (chain.offline && provider.capabilities.remote) {
      errors.push({ provider: provider.name, outcome: "skipped", message: "offline: not contacted" });
      continue;
    }
    try {
      let cursor: string | undefined;
      do {
        const page = await provider.list({ includeDeleted: options.includeDeleted, cursor, limit: 1000 });
        for (const meta of page.items) {
          if (options.scope && meta.scope.kind !== options.scope) continue;
          if (namePattern && !namePattern.test(meta.name)) continue;
          if (options.tags && options.tags.length > 0 && !options.tags.every((t) => meta.tags?.includes(t))) continue;
          const nsKey = `${scopeKey(meta.scope)}\u0000${meta.name}`;
          const key = `${provider.name}\u0000${nsKey}`;
          let group = groups.get(key);
          if (!group) {
            const winner = seenNameScope.get(nsKey);
            if (winner === undefined) seenNameScope.set(nsKey, provider.name);
            const item = ctx.view(meta, undefined, now) as ListItem;
            item.envs = [];
            item.shadowed = winner !== undefined && winner !== provider.name;
            group = { key, item };
            groups.set(key, group);
            ordered.push(group);
          } else if (meta.env === undefined) {
            // The default state describes the secret; an env state listed first only held its place.
            const { envs, shadowed } = group.item;
            group.item = Object.assign(ctx.view(meta, undefined, now) as ListItem, { envs, shadowed });
          }
          group.item.envs.push(meta.env ?? "default");
        }
        cursor = page.nextCursor;
      } while (cursor);
    } catch (err) {
      const e = asProviderError(err, provider.name);
      if (chain.policy === "strict") throw e;
      errors.push({ provider: provider.name, outcome: "error", code: e.code, message: e.message });
    }
  }
  let items = ordered.map((g) => g.item);
  if (env) items = items.filter((i) => i.envs.includes(env));
  if (options.includeExpired === false)
    items = items.filter((i) => i.decay.state !== "hard-expired" && i.decay.state !== "expired");
  else if (!options.includeExpired) items = items.filter((i) => i.decay.state !== "hard-expired");
  items = items.filter((i) => ctx.guard.agentAllowed(i));
  if (ctx.state.policy !== ALLOW_ALL_POLICY) {
    const visible: ListItem[] = [];
    for (const i of items)
      if (await ctx.guard.allows({ action: visibleTo, secret: i as unknown as SecretMetadata })) visible.push(i);
    items = visible;
  }
  if (options.staleOnly)
    items = items.filter(
      (i) => i.decay.state === "stale" || i.decay.state === "expired" || i.decay.state === "hard-expired",
    );
  items.sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : chain.priorityOf(b.provider) - chain.priorityOf(a.provider),
  );
  const start = options.cursor ? decodeCursor(options.cursor) : 0;
  const page = items.slice(start, start + limit);
  ctx.recordLater({ action: "list", success: true, details: { count: page.length } });
  return {
    items: page,
    total: items.length,
    ...(start + limit < items.length ? { nextCursor: encodeCursor(start + limit) } : {}),
    errors,
  };
}

function encodeCursor(n: number): string {
  return Buffer.from(`o:${n}`).toString("base64url");
}

function decodeCursor(cursor: string): number {
  const m = /^o:(\d+)$/.exec(Buffer.from(cursor, "base64url").toString());
  if (!m) throw new CofferError("INVALID_ARGUMENT", "cursor is not valid", { field: "cursor" });
  return Number(m[1]);
}
