import { CofferError } from "../../errors/index.js";
import { decayOf } from "../../expiry/decay.js";
import { type ScopeRef, scopeKey, scopeLabel } from "../../model/scope.js";
import type { SecretAddress, SecretMetadata } from "../../model/secret.js";
import { mapToEnvVars } from "../../names/secret-name.js";
import type { Provider } from "../../provider/provider.js";
import { MIN_REDACTED_LENGTH } from "../../redact/redactor.js";
import type { OperationContext } from "../context.js";
import type { InjectionOptions, InjectionSet } from "../types.js";

/** `resolveForInjection`: the secrets a child process gets as env vars (write-only included; audited as exec). */
export async function resolveForInjection(
  ctx: OperationContext,
  options: InjectionOptions = {},
): Promise<InjectionSet> {
  try {
    const chain = ctx.state.chain;
    const detected = await ctx.resolveEnv(options.env);
    const scopes = ctx.cascade(options);
    const wanted = options.only?.map((n) => ctx.name(n));
    // The most specific scope and the highest-priority provider win per name.
    const chosen = new Map<string, { provider: Provider; address: SecretAddress; meta: SecretMetadata }>();
    const rank = (s: ScopeRef) => scopes.findIndex((x) => scopeKey(x) === scopeKey(s));
    for (const { provider } of chain.entries) {
      if (!provider.list || !provider.capabilities.list) continue;
      // Offline, remote providers are not contacted (their values reach `get` from the
      // last-known-good cache, but they cannot be enumerated).
      if (chain.offline && provider.capabilities.remote) continue;
      let cursor: string | undefined;
      do {
        const page = await provider.list({ cursor, limit: 1000 });
        for (const meta of page.items) {
          const r = rank(meta.scope);
          if (r < 0) continue;
          if (wanted && !wanted.includes(meta.name)) continue;
          if (options.tags?.length && !options.tags.every((t) => meta.tags?.includes(t))) continue;
          if (meta.env !== undefined && meta.env !== detected.env) continue;
          const prev = chosen.get(meta.name);
          const better =
            !prev ||
            r < rank(prev.meta.scope) ||
            (r === rank(prev.meta.scope) &&
              prev.provider === provider &&
              meta.env !== undefined &&
              prev.meta.env === undefined);
          if (better)
            chosen.set(meta.name, {
              provider,
              address: { name: meta.name, scope: meta.scope, ...(meta.env !== undefined ? { env: meta.env } : {}) },
              meta,
            });
        }
        cursor = page.nextCursor;
      } while (cursor);
    }
    const now = ctx.now();
    for (const [name, c] of chosen) {
      if (decayOf(c.meta, now).state === "hard-expired") chosen.delete(name);
    }
    const args = options.args;
    await ctx.guard.require({ action: "exec", command: options.command, args, purpose: options.purpose });
    for (const [name, c] of chosen) {
      // Names asked for explicitly must be allowed (a denial is an error); with no names, the
      // secrets this caller may not use are left out instead of failing the whole run.
      if (wanted)
        await ctx.guard.require({
          action: "exec",
          name: c.meta.name,
          secret: c.meta,
          command: options.command,
          args,
          purpose: options.purpose,
        });
      else if (
        !(await ctx.guard.allows({
          action: "exec",
          secret: c.meta,
          command: options.command,
          args,
          purpose: options.purpose,
        }))
      )
        chosen.delete(name);
    }
    refuseRequestedCollisions([...chosen.keys()], wanted !== undefined);
    // Batch reads per provider.
    const byProvider = new Map<Provider, Array<{ name: string; address: SecretAddress }>>();
    for (const [name, c] of chosen) {
      const list = byProvider.get(c.provider) ?? [];
      list.push({ name, address: c.address });
      byProvider.set(c.provider, list);
    }
    const values = new Map<string, { value: string; provider: string; scope: string }>();
    const protectedNames = new Set<string>();
    for (const [name, c] of chosen) if (!(await ctx.guard.mayReveal(c.meta))) protectedNames.add(name);
    for (const [provider, list] of byProvider) {
      if (provider.getMany) {
        const results = await provider.getMany(list.map((l) => l.address));
        results.forEach((r, i) => {
          if (r.ok)
            values.set(list[i]!.name, {
              value: r.secret.value,
              provider: provider.name,
              scope: scopeLabel(r.secret.scope),
            });
          // Tampering is never skipped silently; a secret deleted since the listing is.
          else if (r.error.code !== "NOT_FOUND") throw r.error;
        });
      } else {
        for (const l of list) {
          const s = await provider.get(l.address);
          values.set(l.name, { value: s.value, provider: provider.name, scope: scopeLabel(s.scope) });
        }
      }
    }
    for (const [name, v] of values) {
      // Output masking ignores values this short, so one the caller may not reveal would be printed as is.
      if (protectedNames.has(name) && Buffer.byteLength(v.value, "utf8") < MIN_REDACTED_LENGTH) {
        throw new CofferError(
          "INVALID_ARGUMENT",
          `secret "${name}" is shorter than ${MIN_REDACTED_LENGTH} characters, too short to be masked in the command's output; it is not injected for a caller who may not reveal it`,
          {
            name,
            field: "secrets",
            hint: "store a longer value, or leave this secret out (name the secrets to inject)",
          },
        );
      }
    }
    const { mapping, collisions } = mapToEnvVars([...values.keys()]);
    const vars: Record<string, string> = {};
    const secrets: InjectionSet["secrets"] = [];
    const maskNames: Record<string, string> = {};
    for (const [name, envVar] of mapping) {
      const v = values.get(name)!;
      vars[envVar] = v.value;
      secrets.push({ name, envVar, provider: v.provider, scope: v.scope });
      if (!protectedNames.has(name)) maskNames[envVar] = name;
    }
    secrets.sort((a, b) => (a.name < b.name ? -1 : 1));
    const missing = (wanted ?? []).filter((n) => !values.has(n));
    await ctx.recordRead({
      action: "exec",
      success: true,
      purpose: options.purpose,
      details: { command: options.command, names: secrets.map((s) => s.name).slice(0, 500), count: secrets.length },
    });
    return { vars, secrets, collisions, missing, maskNames };
  } catch (err) {
    return ctx.failure("exec", err, { purpose: options.purpose, details: { command: options.command } });
  }
}

/**
 * The env-var collision rule of every front end (`coffer run`, `exec_with_secrets`, references):
 * names that map to one env var (`api-key` and `API_KEY`) are never injected, neither chosen
 * over the other. When the caller named the secrets (`only`), a collision refuses the whole run
 * with CONFLICT before any value is read; otherwise the colliding secrets are left out and
 * reported in `collisions`.
 * @throws CofferError CONFLICT naming the names and the env var
 */
function refuseRequestedCollisions(names: string[], requested: boolean): void {
  if (!requested) return;
  const { collisions } = mapToEnvVars(names);
  if (collisions.length === 0) return;
  const text = collisions.map((c) => `${c.names.join(" and ")} both map to ${c.envVar}`).join("; ");
  throw new CofferError("CONFLICT", `${text}; the command was not run`, {
    field: "only",
    collisions: collisions.map((c) => ({ envVar: c.envVar, names: c.names })),
  });
}
