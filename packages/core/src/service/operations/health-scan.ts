import { asProviderError } from "../../chain/fallback-chain.js";
import type { OperationContext } from "../context.js";
import type { HealthReport, ScanOptions, ScanReport } from "../types.js";
import { listVisible } from "./list-secrets.js";
import { rotateSecret } from "./write-secret.js";

/** `health`: every provider's health, and the secrets that are stale or expired. */
export async function healthReport(ctx: OperationContext): Promise<HealthReport> {
  const checks = await ctx.state.chain.health();
  const providers = checks.map(({ entry, health, checkedAt }) => ({
    name: entry.provider.name,
    kind: entry.provider.kind,
    priority: entry.priority,
    ok: health.ok,
    ...(health.message ? { message: health.message } : {}),
    ...(health.latencyMs !== undefined ? { latencyMs: health.latencyMs } : {}),
    lastCheck: checkedAt.toISOString(),
    isDefault: entry.provider === ctx.state.defaultProvider,
  }));
  const expired: HealthReport["expired"] = [];
  const stale: HealthReport["stale"] = [];
  const listing = await listVisible(ctx, { includeExpired: true, staleOnly: true, limit: 10000 }, "read");
  for (const item of listing.items) {
    const row = { name: item.name, scope: item.scopeLabel, provider: item.provider, state: item.decay.state };
    if (item.decay.state === "stale") stale.push(row);
    else expired.push(row);
  }
  return { ok: providers.every((p) => p.ok), providers, chain: providers.map((p) => p.name), expired, stale };
}

/** `scan`: report stale and expired secrets, run expire hooks, optionally rotate. */
export async function scanSecrets(ctx: OperationContext, options: ScanOptions = {}): Promise<ScanReport> {
  const listing = await listVisible(ctx, { includeExpired: true, limit: 10000 }, "read");
  const report: ScanReport = {
    checked: listing.items.length,
    stale: [],
    expired: [],
    rotationDue: [],
    rotated: [],
    hooks: [],
    errors: [],
  };
  for (const item of listing.items) {
    if (item.shadowed) continue;
    const state = item.decay.state;
    if (state === "none" || state === "fresh") continue;
    const row = { name: item.name, scope: item.scopeLabel, provider: item.provider, state };
    if (state === "stale") {
      report.stale.push(row);
      if (item.rotationFormat) report.rotationDue.push(row);
      continue;
    }
    report.expired.push(row);
    const hooks = await ctx.hooks("after", "expire", {
      name: item.name,
      scope: item.scopeLabel,
      provider: item.provider,
      version: item.version,
      tags: item.tags,
    });
    report.hooks.push(...hooks);
    await ctx.record({
      action: "expire",
      name: item.name,
      scope: item.scopeLabel,
      provider: item.provider,
      success: true,
      details: { state },
    });
    if (options.autoRotate && item.rotationFormat) {
      try {
        const s = item.scope;
        const r = await rotateSecret(ctx, item.name, {
          scope: s.kind,
          scopeId: s.id,
          projectPath: s.kind === "project" ? s.id : undefined,
          teamId: s.kind === "team" ? s.id : undefined,
          orgId: s.kind === "org" ? s.id : undefined,
          provider: item.provider,
        });
        report.rotated.push({
          name: item.name,
          scope: item.scopeLabel,
          oldVersion: r.oldVersion,
          newVersion: r.newVersion,
        });
      } catch (err) {
        const e = asProviderError(err, item.provider);
        report.errors.push({ name: item.name, code: e.code, message: e.message });
      }
    }
  }
  return report;
}
