import { asProviderError } from "../../chain/fallback-chain.js";
import { CofferError } from "../../errors/index.js";
import { parseImport } from "../../import-formats/index.js";
import { scopeLabel } from "../../model/scope.js";
import type { SecretAddress, SecretMetadata, SecretWrite, StoredSecret } from "../../model/secret.js";
import type { PolicyAction } from "../../policy/policy.js";
import type { OperationContext } from "../context.js";
import type { ExportedSecret, ExportOptions, ImportOptions, ImportReport, SetOptions } from "../types.js";
import { attributesOf, validateAttributes, validateValue } from "../validate.js";
import { commitWrite } from "./commit-change.js";
import { listVisible } from "./list-secrets.js";

/** `import`: every item is validated and authorized before anything is written. */
export async function importSecrets(
  ctx: OperationContext,
  text: string,
  options: ImportOptions = {},
): Promise<ImportReport> {
  try {
    if (typeof text !== "string")
      throw new CofferError("INVALID_ARGUMENT", "import content must be text", { field: "content" });
    const format = options.format ?? detectFormat(text);
    const parsed = parseImport(text, format);
    const env = ctx.envName(options.env);
    const scope = ctx.writeScope(options);
    const provider = ctx.writeTarget(options.provider);
    ctx.writable(provider);
    // Validate everything before writing anything.
    const items = parsed.items.map((item) => {
      const name = ctx.name(item.name);
      const { value, encoding } = validateValue(item.value, item.encoding ?? "utf-8", true);
      const attrs = validateAttributes({
        ...item,
        tags: [...new Set([...(item.tags ?? []), ...(options.tags ?? [])])],
      } as SetOptions);
      if ((options.tags ?? []).length === 0 && !item.tags) delete attrs.tags;
      return { name, value, encoding, attrs };
    });
    const report: ImportReport = {
      dryRun: options.dryRun === true,
      created: 0,
      updated: 0,
      skipped: 0,
      unchanged: 0,
      items: [],
      warnings: parsed.warnings.map((w) => w.message),
    };
    // Plan and authorize every item before writing any, so a refusal changes nothing.
    const plan: Array<{
      item: (typeof items)[number];
      address: SecretAddress;
      current?: StoredSecret;
      action: ImportReport["items"][number]["action"];
    }> = [];
    for (const item of items) {
      const address: SecretAddress = env === undefined ? { name: item.name, scope } : { name: item.name, scope, env };
      const current = await ctx.current(provider, address);
      await ctx.guard.require({
        action: "write",
        name: item.name,
        secret: current ?? ({ name: item.name, scope, tags: item.attrs.tags } as SecretMetadata),
      });
      let action: ImportReport["items"][number]["action"];
      if (current && options.skipExisting) action = "skip";
      // Only a caller who may reveal the value learns whether it is unchanged: for anyone else
      // the comparison would confirm a guessed value.
      else if (
        current &&
        current.value === item.value &&
        current.encoding === item.encoding &&
        (await ctx.guard.mayReveal(current))
      )
        action = "unchanged";
      else action = current ? "update" : "create";
      plan.push({ item, address, ...(current ? { current } : {}), action });
    }
    const writeOf = (p: (typeof plan)[number]): SecretWrite => ({
      ...(p.current ? attributesOf(p.current) : {}),
      ...p.item.attrs,
      value: p.item.value,
      encoding: p.item.encoding,
      reason: "import",
    });
    const changes = report.dryRun ? [] : plan.filter((p) => p.action === "create" || p.action === "update");
    const log = ctx.state.recorder.log;
    // On a provider with an atomic batch write that keeps the audit log (the local store), the
    // whole import is one transaction with its audit entries: all of it or nothing.
    const atomic = provider.writeBatch !== undefined && (log === undefined || provider === ctx.state.recorder.owner);
    if (atomic && changes.length > 0) {
      ctx.refuseOffline(provider);
      await provider.writeBatch!(
        changes.map((p) => {
          const write = writeOf(p);
          const audit = log
            ? ctx.entry({
                action: "import",
                name: p.address.name,
                scope: scopeLabel(p.address.scope),
                env: p.address.env,
                provider: provider.name,
                success: true,
                fingerprint: log.fingerprint(write.value),
              })
            : undefined;
          return { address: p.address, write, options: audit ? { audit } : {} };
        }),
      );
    }
    const written: string[] = [];
    let done = 0;
    for (const p of plan) {
      const { item, action } = p;
      if (!atomic && changes.includes(p)) {
        try {
          await commitWrite(ctx, provider, p.address, writeOf(p), {}, "import");
        } catch (err) {
          // Without a batch write nothing can undo the items already written: say which.
          const e = asProviderError(err, provider.name);
          throw new CofferError(e.code, `import stopped at "${item.name}": ${e.message}`, {
            ...e.details,
            name: item.name,
            written,
          });
        }
        written.push(item.name);
      }
      report.items.push({ name: item.name, action });
      if (action === "create") report.created++;
      else if (action === "update") report.updated++;
      else if (action === "skip") report.skipped++;
      else report.unchanged++;
      options.onProgress?.(++done, plan.length);
    }
    if (report.dryRun)
      ctx.recordLater({ action: "import", success: true, details: { dryRun: true, count: items.length } });
    return report;
  } catch (err) {
    return ctx.failure("import", err);
  }
}

/** `export`: metadata of the visible secrets; values only when asked and allowed (never write-only ones). */
export async function exportSecrets(ctx: OperationContext, options: ExportOptions = {}): Promise<ExportedSecret[]> {
  try {
    const action: PolicyAction = options.includeValues ? "export" : "read";
    await ctx.guard.require({ action });
    const listing = await listVisible(
      ctx,
      {
        pattern: options.pattern,
        tags: options.tags,
        scope: options.scope,
        provider: options.provider,
        includeExpired: true,
        limit: 10000,
      },
      action,
    );
    const out: ExportedSecret[] = [];
    const exported: string[] = [];
    for (const item of listing.items) {
      if (item.shadowed) continue;
      const provider = ctx.state.chain.provider(item.provider);
      for (const env of item.envs) {
        const address: SecretAddress = { name: item.name, scope: item.scope, ...(env === "default" ? {} : { env }) };
        const secret = await provider.get(address);
        const entry: ExportedSecret = {
          ...attributesOf(secret),
          name: secret.name,
          scope: scopeLabel(secret.scope),
          ...(secret.env !== undefined ? { env: secret.env } : {}),
          version: secret.version,
          provider: provider.name,
          createdAt: secret.createdAt,
          updatedAt: secret.updatedAt,
          encoding: secret.encoding,
        };
        if (options.includeValues && !secret.writeOnly) {
          await ctx.guard.require({ action: "export", name: secret.name, secret });
          entry.value = secret.value;
          exported.push(secret.name);
        }
        out.push(entry);
      }
    }
    await ctx.record({
      action: "export",
      success: true,
      details: { count: out.length, withValues: options.includeValues === true, names: exported.slice(0, 500) },
    });
    return out;
  } catch (err) {
    return ctx.failure("export", err);
  }
}

function detectFormat(text: string): "env" | "json" | "yaml" {
  const t = text.replace(/^\uFEFF/, "").trimStart();
  if (t.startsWith("{")) return "json";
  const firstLine = t.split(/\r?\n/).find((l) => l.trim() && !l.trim().startsWith("#")) ?? "";
  if (/^(export\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*=/.test(firstLine)) return "env";
  return "yaml";
}
