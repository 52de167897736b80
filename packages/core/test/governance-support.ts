import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Accessor,
  type AuditEntryInput,
  type AuditLog,
  type Coffer,
  CofferError,
  type CofferOptions,
  createCoffer,
  type DocumentStore,
  type Provider,
  type SecretAddress,
  type SecretWrite,
  type ServiceBackedProvider,
  type StoredSecret,
  scopeKey,
} from "../src/index.js";

/** A value that must never show up outside a reveal. */
export const SENTINEL = "sk_live_SENTINEL_7f3a9c2e5b8d1046";

/** The local store as these tests use it. */
export type LocalStore = Provider & ServiceBackedProvider & { readonly storePath: string };

// @coffer/provider-local depends on @coffer/core, so core cannot depend on it: its types are
// not visible to core's typecheck. Vitest resolves the workspace alias at run time.
const LOCAL_PACKAGE = "@coffer/provider-local";
let localFactory: ((options: Record<string, unknown>) => LocalStore) | undefined;

/** A temp directory, removed by {@link cleanup}. */
const dirs: string[] = [];
export function tempDir(prefix = "coffer-gov-"): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  dirs.push(dir);
  return dir;
}

/** A mutable clock. */
export function testClock(start = "2026-06-01T12:00:00.000Z") {
  let now = Date.parse(start);
  return {
    now: () => new Date(now),
    advance(seconds: number) {
      now += seconds * 1000;
    },
  };
}

/** A fresh local store in a temp home. */
export async function localStore(
  options: { clock?: () => Date; home?: string } = {},
): Promise<LocalStore & { home: string }> {
  localFactory ??= ((await import(/* @vite-ignore */ LOCAL_PACKAGE)) as { local: typeof localFactory }).local!;
  const home = options.home ?? tempDir("coffer-home-");
  const store = localFactory({
    home,
    masterKey: Buffer.alloc(32, 9).toString("base64"),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return Object.assign(store, { home });
}

const opened: Coffer[] = [];

/** A service over a fresh local store; disposed by {@link cleanup}. */
export async function governedCoffer(
  options: Partial<CofferOptions> & { clock?: () => Date; store?: LocalStore } = {},
) {
  const { store: given, ...rest } = options;
  const store = given ?? (await localStore(options.clock ? { clock: options.clock } : {}));
  const cwd = tempDir("coffer-cwd-");
  const coffer = createCoffer({ providers: [store], cwd, env: {}, ...rest });
  opened.push(coffer);
  return { coffer, store, cwd, documents: store.documents, audit: store.auditLog };
}

/** Dispose services and remove temp directories. */
export async function cleanup(): Promise<void> {
  while (opened.length) await opened.pop()!.dispose();
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<CofferError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof CofferError) return err;
    throw err;
  }
  throw new Error("expected the promise to reject");
}

/** Accessors. */
export const agent = (id: string): Accessor => ({ id, kind: "agent", frontEnd: "mcp" });
export const user = (id: string, frontEnd: Accessor["frontEnd"] = "cli"): Accessor => ({ id, kind: "user", frontEnd });
export const token = (id: string, scopes: string[], pattern?: string): Accessor => ({
  id,
  kind: "token",
  frontEnd: "rest",
  tokenScopes: scopes,
  ...(pattern ? { tokenPattern: pattern } : {}),
});

/**
 * A DocumentStore in memory with JSON round trips on every access, like a real store. `dump()`
 * is everything stored, as text (to assert what never is).
 */
export function memoryDocuments(): DocumentStore & { dump(): string } {
  const data = new Map<string, Map<string, string>>();
  const col = (c: string) => {
    const m = data.get(c) ?? new Map<string, string>();
    data.set(c, m);
    return m;
  };
  return {
    async get<T>(c: string, k: string) {
      const raw = col(c).get(k);
      return raw === undefined ? undefined : (JSON.parse(raw) as T);
    },
    async put(c, k, v) {
      col(c).set(k, JSON.stringify(v));
    },
    async delete(c, k) {
      return col(c).delete(k);
    },
    async list<T>(c: string) {
      return [...col(c).entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([key, raw]) => ({ key, value: JSON.parse(raw) as T }));
    },
    async update<T>(c: string, k: string, fn: (cur: T | undefined) => T | undefined) {
      const raw = col(c).get(k);
      const next = fn(raw === undefined ? undefined : (JSON.parse(raw) as T));
      if (next === undefined) col(c).delete(k);
      else col(c).set(k, JSON.stringify(next));
      return next;
    },
    dump: () => JSON.stringify([...data].map(([c, m]) => [c, [...m]])),
  };
}

/**
 * A writable provider that keeps secrets in memory and no audit log: it stands for a remote
 * provider (the service records intent before and outcome after each write to it).
 */
export function memoryRemoteProvider(name = "remote"): Provider & { stored: Map<string, StoredSecret[]> } {
  const stored = new Map<string, StoredSecret[]>();
  const key = (a: SecretAddress) => `${scopeKey(a.scope)}\u0000${a.name}\u0000${a.env ?? ""}`;
  return {
    name,
    kind: "memory-remote",
    stored,
    capabilities: {
      write: true,
      delete: false,
      softDelete: false,
      purge: false,
      list: false,
      versions: true,
      conditionalWrite: true,
      binary: true,
      metadata: true,
      envs: true,
      scopes: ["global", "project", "team", "org", "user", "agent", "plugin"],
      remote: true,
    },
    async get(address, options) {
      const versions = stored.get(key(address));
      const found =
        options?.version === undefined ? versions?.at(-1) : versions?.find((v) => v.version === options.version);
      if (!found) throw new CofferError("NOT_FOUND", `secret "${address.name}" not found`, { name: address.name });
      return structuredClone(found);
    },
    async set(address, write: SecretWrite, options) {
      const versions = stored.get(key(address)) ?? [];
      const current = versions.at(-1);
      if (options?.ifVersion !== undefined && (current?.version ?? 0) !== options.ifVersion) {
        throw new CofferError("CONFLICT", "version changed", { currentVersion: current?.version ?? 0 });
      }
      const now = new Date().toISOString();
      const { value, encoding, reason: _r, previousValidForSeconds: _p, ...attrs } = write;
      const secret: StoredSecret = {
        ...attrs,
        name: address.name,
        scope: address.scope,
        ...(address.env !== undefined ? { env: address.env } : {}),
        version: (current?.version ?? 0) + 1,
        encoding: encoding ?? "utf-8",
        createdAt: current?.createdAt ?? now,
        updatedAt: now,
        provider: name,
        value,
      };
      versions.push(secret);
      stored.set(key(address), versions);
      const { value: _v, ...meta } = secret;
      return meta;
    },
  };
}

/** An audit log whose appends fail once armed (a fault no real store produces on demand). */
export function failingAuditLog(inner: AuditLog): AuditLog & { armed: boolean; attempts: AuditEntryInput[] } {
  const log = {
    armed: false,
    attempts: [] as AuditEntryInput[],
    async append(entry: AuditEntryInput) {
      log.attempts.push(entry);
      if (log.armed) throw new CofferError("UNAVAILABLE", "audit storage is down");
      return inner.append(entry);
    },
    query: inner.query.bind(inner),
    verify: inner.verify.bind(inner),
    fingerprint: inner.fingerprint.bind(inner),
  };
  return log;
}
