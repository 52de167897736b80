import { parseDotenv } from "../dotenv/parse-dotenv.js";
import { CofferError } from "../errors/index.js";
import type { Coffer } from "../service/types.js";
import { type ResolveReferencesOptions, resolveReferences } from "./resolve-references.js";
import { formatReference, isReference, parseReference, type SecretReference } from "./secret-reference.js";

/** One variable of a `.env` file after its references were resolved. */
export interface ResolvedDotenvVariable {
  /** Variable name. */
  key: string;
  /** Value to give it (resolved for references, as written otherwise). */
  value: string;
  /** Secret name, for a variable written as a reference (its value is then a secret). */
  secretName?: string;
  /** The reference in canonical form, for a variable written as one. */
  reference?: string;
  /** Provider that answered the reference. */
  provider?: string;
  /** Scope label of the secret that answered the reference. */
  scope?: string;
}

/** A `.env` text to resolve, with the label its errors name it by (usually its path). */
export interface DotenvSource {
  /** Label used in errors (a path). */
  label: string;
  /** The file's text. */
  text: string;
}

/**
 * Read `.env` texts whose values may be references (`API_KEY=coffer://API_KEY`) and resolve
 * every reference through {@link resolveReferences}; plain values pass through unchanged. Later
 * sources override earlier ones, key by key. Nothing is returned unless every reference resolves.
 * @throws CofferError INVALID_ARGUMENT naming the file and line of a malformed reference;
 *   NOT_FOUND (or the read's code) naming an unresolvable reference
 */
export async function resolveDotenvReferences(
  coffer: Coffer,
  sources: readonly DotenvSource[],
  options: ResolveReferencesOptions,
): Promise<ResolvedDotenvVariable[]> {
  const variables = new Map<string, { value: string; reference?: SecretReference }>();
  for (const source of sources) {
    let parsed: ReturnType<typeof parseDotenv>;
    try {
      parsed = parseDotenv(source.text);
    } catch (err) {
      throw new CofferError(
        "INVALID_ARGUMENT",
        `${source.label}: ${err instanceof CofferError ? err.message : "not a .env file"}`,
        { field: "file" },
      );
    }
    for (const entry of parsed.entries) {
      if (!isReference(entry.value)) {
        variables.set(entry.key, { value: entry.value });
        continue;
      }
      try {
        variables.set(entry.key, { value: entry.value, reference: parseReference(entry.value) });
      } catch (err) {
        throw new CofferError(
          "INVALID_ARGUMENT",
          `${source.label} line ${entry.line} (${entry.key}): ${err instanceof CofferError ? err.message : "bad reference"}`,
          { field: "file", line: entry.line, key: entry.key },
        );
      }
    }
  }
  const references = [...variables.values()].flatMap((v) => (v.reference ? [v.reference] : []));
  const resolved = references.length > 0 ? await resolveReferences(coffer, references, options) : new Map();
  const out: ResolvedDotenvVariable[] = [];
  for (const [key, v] of variables) {
    if (!v.reference) {
      out.push({ key, value: v.value });
      continue;
    }
    const canonical = formatReference(v.reference);
    const hit = resolved.get(canonical)!;
    out.push({
      key,
      value: hit.value,
      secretName: hit.name,
      reference: canonical,
      provider: hit.provider,
      scope: hit.scope,
    });
  }
  return out;
}
