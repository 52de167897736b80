import type { AuditAction, AuditEntryInput } from "../../audit/types.js";
import { scopeLabel } from "../../model/scope.js";
import type { SecretAddress, SecretMetadata, SecretWrite } from "../../model/secret.js";
import type { Provider, SecretRef } from "../../provider/provider.js";
import type { OperationContext } from "../context.js";

/**
 * Write one state, committing the audit entry with it where the provider keeps the log (else
 * intent first, outcome after); a replaced value is dropped from the last-known-good cache.
 */
export async function commitWrite(
  ctx: OperationContext,
  provider: Provider,
  address: SecretAddress,
  write: SecretWrite,
  opts: { ifVersion?: number; mode?: "create" | "upsert" },
  action: AuditAction,
): Promise<SecretMetadata> {
  const p = ctx.writable(provider);
  ctx.refuseOffline(provider);
  const log = ctx.state.recorder.log;
  const audit = log
    ? ctx.entry({
        action,
        name: address.name,
        scope: scopeLabel(address.scope),
        env: address.env,
        provider: provider.name,
        success: true,
        fingerprint: log.fingerprint(write.value),
      })
    : undefined;
  const meta = await ctx.state.recorder.audited(
    provider,
    audit,
    (a) => p.set(address, write, { ...opts, ...(a ? { audit: a } : {}) }),
    (m) => m.version,
  );
  if (provider !== ctx.state.recorder.owner) await ctx.state.chain.forgetLastKnownGood(provider.name, address);
  return meta;
}

/** Run a delete/restore/purge with its audit entry (see {@link commitWrite}). */
export async function commitMutation<T>(
  ctx: OperationContext,
  provider: Provider,
  target: SecretRef,
  audit: AuditEntryInput,
  run: (audit?: AuditEntryInput) => Promise<T>,
): Promise<T> {
  ctx.refuseOffline(provider);
  const out = await ctx.state.recorder.audited(provider, audit, run);
  // A replaced or removed value must not be served later from the last-known-good cache.
  if (provider.capabilities.remote) await ctx.state.chain.forgetLastKnownGood(provider.name, target);
  return out;
}
