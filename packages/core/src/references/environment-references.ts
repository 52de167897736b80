import { CofferError } from "../errors/index.js";
import type { Coffer } from "../service/types.js";
import type { ResolvedDotenvVariable } from "./dotenv-references.js";
import { type ResolveReferencesOptions, resolveReferences } from "./resolve-references.js";
import { formatReference, isReference, parseReference, type SecretReference } from "./secret-reference.js";

/**
 * Resolve the variables of an environment whose value is a reference
 * (`GITHUB_TOKEN=coffer://GITHUB_TOKEN`), through {@link resolveReferences}; other variables are
 * not returned. Nothing is returned unless every reference resolves.
 * @throws CofferError INVALID_ARGUMENT naming the variable of a malformed reference; NOT_FOUND
 *   (or the read's code) naming an unresolvable one
 */
export async function resolveEnvironmentReferences(
  coffer: Coffer,
  env: Readonly<Record<string, string | undefined>>,
  options: ResolveReferencesOptions,
): Promise<ResolvedDotenvVariable[]> {
  const wanted: Array<{ key: string; reference: SecretReference }> = [];
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || !isReference(value)) continue;
    try {
      wanted.push({ key, reference: parseReference(value) });
    } catch (err) {
      throw new CofferError(
        "INVALID_ARGUMENT",
        `environment variable ${key}: ${err instanceof CofferError ? err.message : "bad reference"}`,
        { field: "env", key },
      );
    }
  }
  if (wanted.length === 0) return [];
  const resolved = await resolveReferences(
    coffer,
    wanted.map((w) => w.reference),
    options,
  );
  return wanted.map(({ key, reference }) => {
    const hit = resolved.get(formatReference(reference))!;
    return {
      key,
      value: hit.value,
      secretName: hit.name,
      reference: hit.reference,
      provider: hit.provider,
      scope: hit.scope,
    };
  });
}
