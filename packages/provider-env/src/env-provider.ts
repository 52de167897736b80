import {
  CofferError,
  type GetManyResult,
  type Page,
  type Provider,
  type ProviderCapabilities,
  type ProviderGetOptions,
  type ProviderHealth,
  type ProviderListQuery,
  quoteName,
  type SecretAddress,
  type SecretMetadata,
  type StoredSecret,
  scopeKey,
  toCofferError,
  toEnvVarName,
  validateSecretName,
} from "@coffer/core";
import { decodeListCursor, encodeListCursor } from "./env-list-cursor.js";
import { type EnvProviderOptions, resolveEnvProviderOptions } from "./env-provider-options.js";
import { candidateVariables, isInternalVariable, variableStem } from "./env-variable-names.js";

/** The message every write to the env provider fails with. */
export const ENV_PROVIDER_READ_ONLY_MESSAGE =
  "the env provider is read-only; write to another provider (for example --provider local)";

/** What the env provider can do: read and list global secrets, nothing else. */
export const ENV_PROVIDER_CAPABILITIES: ProviderCapabilities = Object.freeze({
  write: false,
  delete: false,
  softDelete: false,
  purge: false,
  list: true,
  versions: false,
  conditionalWrite: false,
  binary: false,
  metadata: false,
  envs: false,
  scopes: Object.freeze(["global"] as const),
  remote: false,
});

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

/**
 * A read-only provider over environment variables: `api-key-stripe` is read from
 * `COFFER_SECRET_API_KEY_STRIPE`. Values are UTF-8 text at version 1, global scope, default
 * state; their times are when the provider was created. Variables are read at every call.
 * `set` and `delete` exist only to explain that the provider is read-only.
 * @throws CofferError CONFIG when the options are invalid
 */
export function env(options: EnvProviderOptions = {}): Provider {
  const resolved = resolveEnvProviderOptions(options);
  const { name: providerName, prefix, uppercaseNames } = resolved;
  const startedAt = new Date().toISOString();

  const metadataOf = (name: string): SecretMetadata => ({
    name,
    scope: { kind: "global" },
    version: 1,
    encoding: "utf-8",
    createdAt: startedAt,
    updatedAt: startedAt,
    provider: providerName,
  });

  const notFound = (name: string, why: string, details: Record<string, unknown> = {}) =>
    new CofferError("NOT_FOUND", `secret ${quoteName(name)} not found in the ${providerName} provider (${why})`, {
      name,
      provider: providerName,
      ...details,
    });

  const get = async (address: SecretAddress, getOptions: ProviderGetOptions = {}): Promise<StoredSecret> => {
    const name = validateSecretName(address?.name);
    if (address.scope?.kind !== "global") throw notFound(name, "it holds only global secrets");
    if (address.env !== undefined) throw notFound(name, "it holds only the default state, not per-env states");
    if (getOptions.version !== undefined && getOptions.version !== 1) {
      throw notFound(name, `its values are always version 1, not ${getOptions.version}`);
    }
    const source = resolved.readSource();
    const variables = candidateVariables(name, resolved);
    for (const variable of variables) {
      const value = source[variable];
      if (typeof value === "string") return { ...metadataOf(name), value };
    }
    throw notFound(name, `looked for ${variables.join(", ")}`, { variables });
  };

  /** Names of every prefixed variable that `get` would find under that same name, sorted. */
  const listableNames = (): string[] => {
    const names: string[] = [];
    for (const [variable, value] of Object.entries(resolved.readSource())) {
      if (typeof value !== "string" || !variable.startsWith(prefix) || isInternalVariable(variable)) continue;
      const name = variable.slice(prefix.length);
      try {
        validateSecretName(name);
      } catch {
        continue;
      }
      if (variableStem(name, uppercaseNames) === name) names.push(name);
    }
    return names.sort();
  };

  const list = async (query: ProviderListQuery = {}): Promise<Page<SecretMetadata>> => {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      throw new CofferError("INVALID_ARGUMENT", `list limit must be an integer from 1 to ${MAX_PAGE_SIZE}`, {
        field: "limit",
      });
    }
    const after = query.cursor === undefined ? undefined : decodeListCursor(query.cursor);
    if (query.scope !== undefined && query.scope.kind !== "global") return { items: [] };
    const wanted = query.prefix;
    const matches = (name: string) =>
      wanted === undefined ||
      name.startsWith(wanted) ||
      (uppercaseNames && wanted.length > 0 && name.startsWith(toEnvVarName(wanted)));
    // Keyset start: every env secret is global, so a start in a later scope leaves nothing.
    const start = query.after === undefined ? undefined : scopeKey(query.after.scope);
    if (start !== undefined && start > "global") return { items: [] };
    const from = start === "global" ? query.after!.name : undefined;
    const names = listableNames().filter(
      (name) => matches(name) && (after === undefined || name > after) && (from === undefined || name > from),
    );
    const page = names.slice(0, limit);
    const items = page.map(metadataOf);
    return names.length > limit ? { items, nextCursor: encodeListCursor(page.at(-1)!) } : { items };
  };

  const getMany = async (addresses: SecretAddress[]): Promise<GetManyResult[]> =>
    Promise.all(
      addresses.map((address) =>
        get(address).then(
          (secret): GetManyResult => ({ ok: true, secret }),
          (err: unknown): GetManyResult => ({ ok: false, error: toCofferError(err) }),
        ),
      ),
    );

  const health = async (): Promise<ProviderHealth> => {
    const started = performance.now();
    const count = listableNames().length;
    return {
      ok: true,
      message: `${count} ${prefix}* variable${count === 1 ? "" : "s"} visible`,
      latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
    };
  };

  const readOnly = async (): Promise<never> => {
    throw new CofferError("UNSUPPORTED", ENV_PROVIDER_READ_ONLY_MESSAGE, { provider: providerName });
  };

  return {
    name: providerName,
    kind: "env",
    capabilities: ENV_PROVIDER_CAPABILITIES,
    get,
    getMany,
    list,
    health,
    set: readOnly,
    delete: readOnly,
  };
}
