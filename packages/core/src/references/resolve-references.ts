import { CofferError, isCofferError } from "../errors/index.js";
import { toEnvVarName } from "../names/secret-name.js";
import type { Coffer } from "../service/types.js";
import { formatReference, referenceScopeInput, type SecretReference } from "./secret-reference.js";

/** Options of {@link resolveReferences}. */
export interface ResolveReferencesOptions {
  /**
   * `exec`: the values go into a child process's environment (policy action `exec`, audited as
   * one `exec` entry per scope and env; write-only secrets included). `reveal`: the values leave
   * Coffer as text (policy action `reveal`, a non-empty purpose for agents, audited per secret;
   * write-only secrets refused).
   */
  use: "exec" | "reveal";
  /** Command the values are for (`exec`: policy and audit). */
  command?: string;
  /** Its arguments (`exec`: the exec lists follow launchers through them). */
  args?: string[];
  /** Why (audit; required for agents with `reveal`). */
  purpose?: string;
}

/** One resolved reference. */
export interface ResolvedReference {
  /** The reference in canonical form. */
  reference: string;
  /** Secret name. */
  name: string;
  /** The value. */
  value: string;
  /** Provider that answered. */
  provider: string;
  /** Scope label of the secret that answered. */
  scope: string;
}

/**
 * Resolve references through the service's own read paths: `exec` through
 * {@link Coffer.resolveForInjection} and `reveal` through {@link Coffer.get} with `reveal`, so
 * the access guard, policy, audit and the chain (with its last-known-good cache) apply exactly
 * as for any other read. Every reference is resolved before any value is returned: one that
 * cannot be resolved fails the whole call, naming it.
 * @returns canonical reference text -> resolved value
 * @throws CofferError NOT_FOUND naming the unresolvable reference; PERMISSION_DENIED and the other
 *   codes of the underlying read, with the reference named in the message
 */
export async function resolveReferences(
  coffer: Coffer,
  references: readonly SecretReference[],
  options: ResolveReferencesOptions,
): Promise<Map<string, ResolvedReference>> {
  const unique = new Map<string, SecretReference>();
  for (const ref of references) unique.set(formatReference(ref), ref);
  const out = new Map<string, ResolvedReference>();
  if (options.use === "reveal") {
    for (const [key, ref] of unique) {
      try {
        const result = await coffer.get(ref.name, {
          ...referenceScopeInput(ref),
          ...(ref.env !== undefined ? { env: ref.env } : {}),
          reveal: true,
          purpose: options.purpose,
        });
        out.set(key, {
          reference: key,
          name: ref.name,
          value: result.value ?? "",
          provider: result.provenance.provider,
          scope: result.scopeLabel,
        });
      } catch (err) {
        throw unresolved(key, err);
      }
    }
    return out;
  }
  // exec: one injection per (scope, env) group, asking only for the names referenced there.
  const groups = new Map<string, Array<[string, SecretReference]>>();
  for (const [key, ref] of unique) {
    const groupKey = JSON.stringify([referenceScopeInput(ref), ref.env ?? null]);
    const list = groups.get(groupKey) ?? [];
    list.push([key, ref]);
    groups.set(groupKey, list);
  }
  for (const list of groups.values()) {
    const first = list[0]![1];
    const base = {
      ...referenceScopeInput(first),
      ...(first.env !== undefined ? { env: first.env } : {}),
      command: options.command,
      ...(options.args ? { args: options.args } : {}),
      purpose: options.purpose,
    };
    // Names whose env var forms collide are resolved one by one (an injection leaves collisions out).
    const batches: Array<Array<[string, SecretReference]>> = [];
    const byVar = new Map<string, Array<[string, SecretReference]>>();
    for (const item of list) {
      const v = toEnvVarName(item[1].name);
      byVar.set(v, [...(byVar.get(v) ?? []), item]);
    }
    const together: Array<[string, SecretReference]> = [];
    for (const items of byVar.values()) {
      const distinctNames = new Set(items.map((i) => i[1].name));
      if (distinctNames.size === 1) together.push(...items);
      else for (const item of items) batches.push([item]);
    }
    if (together.length > 0) batches.unshift(together);
    for (const batch of batches) {
      const names = [...new Set(batch.map(([, ref]) => ref.name))];
      let set: Awaited<ReturnType<Coffer["resolveForInjection"]>>;
      try {
        set = await coffer.resolveForInjection({ ...base, only: names });
      } catch (err) {
        const named =
          isCofferError(err) && typeof err.details.name === "string"
            ? batch.find(([, r]) => r.name === err.details.name)?.[0]
            : undefined;
        throw unresolved(named ?? batch[0]![0], err, named === undefined ? batch.map(([k]) => k) : undefined);
      }
      const byName = new Map(set.secrets.map((s) => [s.name, s]));
      for (const [key, ref] of batch) {
        const secret = byName.get(ref.name);
        const value = secret === undefined ? undefined : set.vars[secret.envVar];
        if (secret === undefined || value === undefined)
          throw unresolved(key, new CofferError("NOT_FOUND", `secret "${ref.name}" not found`, { name: ref.name }));
        out.set(key, { reference: key, name: ref.name, value, provider: secret.provider, scope: secret.scope });
      }
    }
  }
  return out;
}

function unresolved(reference: string, err: unknown, among?: string[]): CofferError {
  const e = isCofferError(err)
    ? err
    : new CofferError("INTERNAL", "reference could not be resolved", {}, { cause: err });
  const what = among && among.length > 1 ? `references ${among.join(", ")}` : `reference ${reference}`;
  return new CofferError(
    e.code,
    `${what} could not be resolved: ${e.message}`,
    { ...e.details, reference },
    { cause: err },
  );
}
