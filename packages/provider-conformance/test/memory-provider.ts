/**
 * A small in-memory provider that follows the whole provider contract. Test-only: it proves
 * the conformance suite passes a correct provider, and the broken-provider tests wrap it.
 */
import {
  CofferError,
  type DeleteOutcome,
  type GetManyResult,
  MAX_VALUE_BYTES,
  type Page,
  type Provider,
  type ProviderCapabilities,
  type ProviderDeleteOptions,
  type ProviderGetOptions,
  type ProviderListQuery,
  type ProviderSetOptions,
  type ScopeRef,
  type SecretAddress,
  type SecretAttributes,
  type SecretMetadata,
  type SecretRef,
  type SecretVersionInfo,
  type SecretWrite,
  type StoredSecret,
  scopeKey,
  toCofferError,
  type ValueEncoding,
} from "@coffer/core";
import type { SeedEntry } from "../src/index.js";

/** Options of the test memory provider. */
export interface MemoryProviderOptions {
  /** Instance name. @default "memory" */
  name?: string;
  /** Capability overrides; a false flag also removes or disables the matching behaviour. */
  capabilities?: Partial<ProviderCapabilities>;
}

interface VersionRecord {
  bytes: Buffer;
  encoding: ValueEncoding;
  attributes: SecretAttributes;
  createdAt: string;
  reason: string;
}

interface StateRecord {
  createdAt: string;
  /** Index i holds version i + 1 (only the last one when versions are not kept). */
  versions: VersionRecord[];
  /** Number of the newest version. */
  current: number;
}

interface SecretRecord {
  name: string;
  scope: ScopeRef;
  states: Map<string, StateRecord>;
  deletedAt?: string;
  purgeAt?: string;
}

const ATTRIBUTE_KEYS = [
  "description",
  "tags",
  "ttlSeconds",
  "expiresAt",
  "rotationFormat",
  "rotationPrefix",
  "allowedAgentIds",
  "writeOnly",
] as const;

const FULL: ProviderCapabilities = {
  write: true,
  delete: true,
  softDelete: true,
  purge: true,
  list: true,
  versions: true,
  conditionalWrite: true,
  binary: true,
  metadata: true,
  envs: true,
  scopes: ["global", "project", "team", "org", "user", "agent", "plugin"],
  remote: false,
};

const DAY_MS = 86_400_000;

/** A memory provider that keeps everything a full provider keeps. */
export function memoryProvider(options: MemoryProviderOptions = {}): Provider {
  const name = options.name ?? "memory";
  const caps: ProviderCapabilities = { ...FULL, ...options.capabilities };
  const secrets = new Map<string, SecretRecord>();
  const keyOf = (scope: ScopeRef, secretName: string) => `${scopeKey(scope)}\u0000${secretName}`;
  const now = () => new Date().toISOString();

  const notFound = (what: string, secretName: string) =>
    new CofferError("NOT_FOUND", `${what} ${JSON.stringify(secretName)} not found`, {
      name: secretName,
      provider: name,
    });

  const metadataOf = (
    record: SecretRecord,
    env: string | undefined,
    state: StateRecord,
    version: number,
  ): SecretMetadata => {
    const v = state.versions[caps.versions ? version - 1 : 0]!;
    return {
      ...v.attributes,
      name: record.name,
      scope: record.scope,
      ...(env === undefined ? {} : { env }),
      version,
      encoding: v.encoding,
      createdAt: state.createdAt,
      updatedAt: v.createdAt,
      ...(record.deletedAt === undefined ? {} : { deletedAt: record.deletedAt, purgeAt: record.purgeAt }),
      provider: name,
    };
  };

  const liveState = (address: SecretAddress) => {
    const record = secrets.get(keyOf(address.scope, address.name));
    if (!record || record.deletedAt !== undefined) throw notFound("secret", address.name);
    const state = record.states.get(address.env ?? "");
    if (!state) throw notFound("secret", address.name);
    return { record, state };
  };

  const get = async (address: SecretAddress, getOptions: ProviderGetOptions = {}): Promise<StoredSecret> => {
    const { record, state } = liveState(address);
    const version = getOptions.version ?? state.current;
    const kept = caps.versions ? version >= 1 && version <= state.current : version === state.current;
    if (!kept) throw notFound(`version ${version} of secret`, address.name);
    const meta = metadataOf(record, address.env, state, version);
    const stored = state.versions[caps.versions ? version - 1 : 0]!;
    return { ...meta, value: stored.bytes.toString(stored.encoding === "base64" && caps.binary ? "base64" : "utf8") };
  };

  const set = async (address: SecretAddress, write: SecretWrite, setOptions: ProviderSetOptions = {}) => {
    if (!caps.scopes.includes(address.scope.kind)) {
      throw new CofferError("UNSUPPORTED", `the ${name} provider does not hold ${address.scope.kind} secrets`);
    }
    if (address.env !== undefined && !caps.envs) {
      throw new CofferError("UNSUPPORTED", `the ${name} provider does not hold per-env states`);
    }
    const encoding = write.encoding ?? "utf-8";
    const bytes = Buffer.from(write.value, encoding === "base64" && caps.binary ? "base64" : "utf8");
    if (bytes.length > (encoding === "base64" && !caps.binary ? (MAX_VALUE_BYTES * 4) / 3 : MAX_VALUE_BYTES)) {
      throw new CofferError("TOO_LARGE", `value of ${JSON.stringify(address.name)} exceeds ${MAX_VALUE_BYTES} bytes`);
    }
    const key = keyOf(address.scope, address.name);
    let record = secrets.get(key);
    // A deleted secret is replaced: the state written keeps its versions, the others (deleted) go.
    const replacedDeleted = record?.deletedAt !== undefined;
    if (record && replacedDeleted) {
      for (const env of [...record.states.keys()]) if (env !== (address.env ?? "")) record.states.delete(env);
    }
    const state = record?.states.get(address.env ?? "");
    const current = replacedDeleted ? 0 : (state?.current ?? 0);
    if (setOptions.ifVersion !== undefined && setOptions.ifVersion !== current) {
      throw new CofferError(
        "CONFLICT",
        `secret ${JSON.stringify(address.name)} is at version ${current}, not ${setOptions.ifVersion}`,
        { name: address.name, currentVersion: current },
      );
    }
    if (setOptions.mode === "create" && current > 0) {
      throw new CofferError("ALREADY_EXISTS", `secret ${JSON.stringify(address.name)} already exists`);
    }
    const attributes: SecretAttributes = {};
    if (caps.metadata) {
      for (const k of ATTRIBUTE_KEYS) {
        if (write[k] !== undefined) Object.assign(attributes, { [k]: structuredClone(write[k]) });
      }
    }
    const time = now();
    const version: VersionRecord = { bytes, encoding, attributes, createdAt: time, reason: write.reason ?? "write" };
    if (!record) {
      record = { name: address.name, scope: { ...address.scope }, states: new Map() };
      secrets.set(key, record);
    }
    const target = state ?? { createdAt: time, versions: [], current: 0 };
    if (caps.versions) target.versions.push(version);
    else target.versions = [version];
    target.current += 1;
    record.states.set(address.env ?? "", target);
    if (replacedDeleted) {
      delete record.deletedAt;
      delete record.purgeAt;
      return { ...metadataOf(record, address.env, target, target.current), replacedDeleted: true };
    }
    return metadataOf(record, address.env, target, target.current);
  };

  const versionCount = (record: SecretRecord) =>
    [...record.states.values()].reduce((sum, state) => sum + state.versions.length, 0);

  const remove = async (ref: SecretRef, deleteOptions: ProviderDeleteOptions = {}): Promise<DeleteOutcome> => {
    const key = keyOf(ref.scope, ref.name);
    const record = secrets.get(key);
    if (!record || (record.deletedAt !== undefined && !deleteOptions.purge)) throw notFound("secret", ref.name);
    const versionsDeleted = versionCount(record);
    if (deleteOptions.purge || !caps.softDelete) {
      secrets.delete(key);
      return { versionsDeleted, purged: true };
    }
    record.deletedAt = now();
    record.purgeAt = new Date(Date.now() + (deleteOptions.recoveryWindowDays ?? 7) * DAY_MS).toISOString();
    return { versionsDeleted, purged: false, purgeAt: record.purgeAt };
  };

  const restore = async (ref: SecretRef) => {
    const record = secrets.get(keyOf(ref.scope, ref.name));
    if (!record || record.deletedAt === undefined) throw notFound("deleted secret", ref.name);
    delete record.deletedAt;
    delete record.purgeAt;
    return { versionsRestored: versionCount(record) };
  };

  const purge = async (ref: SecretRef) => {
    const key = keyOf(ref.scope, ref.name);
    const record = secrets.get(key);
    if (!record) throw notFound("secret", ref.name);
    secrets.delete(key);
    return { versionsDeleted: versionCount(record) };
  };

  const list = async (query: ProviderListQuery = {}): Promise<Page<SecretMetadata>> => {
    const limit = query.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1)
      throw new CofferError("INVALID_ARGUMENT", "limit must be a positive integer");
    let after: string | undefined;
    if (query.cursor !== undefined) {
      try {
        after = JSON.parse(Buffer.from(query.cursor, "base64url").toString("utf8")).after;
      } catch {
        throw new CofferError("INVALID_ARGUMENT", "invalid list cursor");
      }
      if (typeof after !== "string") throw new CofferError("INVALID_ARGUMENT", "invalid list cursor");
    }
    const rows: Array<{ sortKey: string; meta: SecretMetadata }> = [];
    for (const record of secrets.values()) {
      if (query.scope && scopeKey(query.scope) !== scopeKey(record.scope)) continue;
      if (query.prefix !== undefined && !record.name.startsWith(query.prefix)) continue;
      if (record.deletedAt !== undefined && !query.includeDeleted) continue;
      for (const [env, state] of record.states) {
        const sortKey = `${scopeKey(record.scope)}\u0000${record.name}\u0000${env}`;
        if (after !== undefined && sortKey <= after) continue;
        rows.push({ sortKey, meta: metadataOf(record, env === "" ? undefined : env, state, state.current) });
      }
    }
    rows.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return rows.length > limit && last
      ? {
          items: page.map((row) => row.meta),
          nextCursor: Buffer.from(JSON.stringify({ after: last.sortKey })).toString("base64url"),
        }
      : { items: page.map((row) => row.meta) };
  };

  const history = async (address: SecretAddress): Promise<SecretVersionInfo[]> => {
    const { state } = liveState(address);
    return state.versions
      .map((v, i) => ({ version: i + 1, createdAt: v.createdAt, current: i + 1 === state.current, reason: v.reason }))
      .reverse();
  };

  const getMany = async (addresses: SecretAddress[]): Promise<GetManyResult[]> =>
    Promise.all(
      addresses.map(async (address): Promise<GetManyResult> => {
        try {
          return { ok: true, secret: await get(address) };
        } catch (err) {
          return { ok: false, error: toCofferError(err) };
        }
      }),
    );

  const provider: Provider = {
    name,
    kind: "memory",
    capabilities: caps,
    get,
    getMany,
    health: async () => ({ ok: true, message: `${secrets.size} secrets in memory`, latencyMs: 0 }),
    dispose: async () => {
      secrets.clear();
    },
  };
  if (caps.write) provider.set = set;
  if (caps.delete) provider.delete = remove;
  if (caps.softDelete) provider.restore = restore;
  if (caps.purge) provider.purge = purge;
  if (caps.list) provider.list = list;
  if (caps.versions) provider.history = history;
  return provider;
}

/** A read-only view of a memory provider, filled through `seed` as a read-only provider's own source would be. */
export function readOnlyMemoryProvider(): { provider: Provider; seed: (entries: SeedEntry[]) => Promise<void> } {
  const backing = memoryProvider({ name: "memory-ro" });
  const capabilities: ProviderCapabilities = {
    ...backing.capabilities,
    write: false,
    delete: false,
    softDelete: false,
    purge: false,
    versions: false,
    conditionalWrite: false,
    binary: false,
    metadata: false,
    envs: false,
    scopes: ["global"],
  };
  const provider: Provider = {
    name: "memory-ro",
    kind: "memory",
    capabilities,
    get: (address, options) => {
      if (address.scope.kind !== "global" || address.env !== undefined) {
        return Promise.reject(new CofferError("NOT_FOUND", `secret ${JSON.stringify(address.name)} not found`));
      }
      return backing.get(address, options);
    },
    list: (query) => backing.list!({ ...query, scope: query?.scope ?? { kind: "global" } }),
    getMany: (addresses) =>
      Promise.all(
        addresses.map((address) =>
          provider.get(address).then(
            (secret): GetManyResult => ({ ok: true, secret }),
            (err: unknown): GetManyResult => ({ ok: false, error: toCofferError(err) }),
          ),
        ),
      ),
    health: () => backing.health!(),
    set: async () => {
      throw new CofferError("UNSUPPORTED", "the memory-ro provider is read-only");
    },
  };
  return {
    provider,
    seed: async (entries) => {
      for (const entry of entries)
        await backing.set!({ name: entry.name, scope: { kind: "global" } }, { value: entry.value });
    },
  };
}
