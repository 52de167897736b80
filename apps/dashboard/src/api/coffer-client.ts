import type {
  AuditVerification,
  DeleteResult,
  Inspection,
  ListResult,
  RotateResult,
  ScopeRef,
  SecretResult,
  SecretVersionInfo,
  WriteResult,
} from "@coffer/core";
import { ApiError, unexpectedResponse } from "./api-error";
import { addressQuery, type SecretAddress, scopeQuery } from "./secret-address";
import type { ApiVocabulary, AuditPage, ProvidersReport, RestoreResult } from "./types";

/** Filters of the secrets list (`GET /v1/secrets`). */
export interface ListFilters {
  /** Name glob (`api-*`). */
  pattern?: string;
  /** Every one of these tags. */
  tags?: string[];
  /** Scope kind. */
  scope?: string;
  /** Provider. */
  provider?: string;
  /** Include soft-deleted secrets. */
  includeDeleted?: boolean;
  /** Include hard-expired secrets. */
  includeExpired?: boolean;
  /** Only stale or expired secrets. */
  staleOnly?: boolean;
}

/** Body of a create or update (`PUT /v1/secrets/{name}`). */
export interface PutSecretBody {
  /** The value. */
  value: string;
  /** `utf-8` or `base64`. */
  encoding?: string;
  /** Env state to write. */
  env?: string;
  /** Tags. */
  tags?: string[];
  /** Description. */
  description?: string;
  /** Soft decay window. */
  ttlSeconds?: number;
  /** Hard expiry. */
  expiresAt?: string;
  /** Generator for rotation. */
  rotationFormat?: string;
  /** Prefix for rotation. */
  rotationPrefix?: string;
  /** Never readable back. */
  writeOnly?: boolean;
}

/** Preconditions of a write. */
export interface WriteConditions {
  /** Write only if the current version is this one (`If-Match`). */
  ifVersion?: number;
  /** Create only (`If-None-Match: *`). */
  createOnly?: boolean;
}

/** Body of `POST /v1/secrets/{name}/rotate`. */
export interface RotateBody {
  /** New value; absent: generated. */
  value?: string;
  /** Generator format. */
  generate?: string;
  /** Generator prefix. */
  prefix?: string;
  /** Env state. */
  env?: string;
  /** Make the old version unreadable now. */
  expireOld?: boolean;
  /** Seconds the old version stays readable. */
  graceSeconds?: number;
}

/** Filters of the audit log (`GET /v1/audit`). */
export interface AuditFilters {
  /** Secret name. */
  name?: string;
  /** Accessor. */
  accessor?: string;
  /** Action. */
  action?: string;
  /** Only failed attempts. */
  failed?: boolean;
  /** From (ISO 8601). */
  since?: string;
  /** Until (ISO 8601). */
  until?: string;
}

type Query = Record<string, string | string[] | number | boolean | undefined>;

interface RequestSpec {
  query?: Query;
  json?: unknown;
  headers?: Record<string, string>;
  /** Skip the sign-out on 401 (the sign-in probe handles it itself). */
  probe?: boolean;
}

/** URL of an API path relative to the dashboard (`/ui/` -> `/v1/...`), so a path prefix in front of the server works. */
function apiUrl(path: string, query: Query = {}): string {
  const url = new URL(`../${path.replace(/^\//, "")}`, new URL(".", window.location.href));
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === "") continue;
    for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(key, String(item));
  }
  return url.toString();
}

function secretPath(name: string, suffix = ""): string {
  return `/v1/secrets/${encodeURIComponent(name)}${suffix}`;
}

/**
 * The REST API as the dashboard uses it. The token travels only in the `Authorization` header;
 * a reveal's purpose in `X-Coffer-Purpose` (never in a URL, which the server logs). Errors are
 * {@link ApiError}s; a 401 anywhere signs the session out.
 */
export class CofferClient {
  readonly #token: string;
  readonly #onUnauthenticated: (error: ApiError) => void;

  constructor(token: string, onUnauthenticated: (error: ApiError) => void) {
    this.#token = token;
    this.#onUnauthenticated = onUnauthenticated;
  }

  async #send<T>(method: string, path: string, spec: RequestSpec = {}): Promise<{ body: T; headers: Headers }> {
    const headers: Record<string, string> = {
      accept: "application/json",
      authorization: `Bearer ${this.#token}`,
      ...spec.headers,
    };
    if (spec.json !== undefined) headers["content-type"] = "application/json";
    let res: Response;
    try {
      res = await fetch(apiUrl(path, spec.query), {
        method,
        headers,
        ...(spec.json === undefined ? {} : { body: JSON.stringify(spec.json) }),
        cache: "no-store",
        credentials: "omit",
        referrerPolicy: "no-referrer",
        redirect: "error",
      });
    } catch {
      throw new ApiError(0, "NETWORK", "cannot reach the Coffer server; check that coffer-server is running");
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      const problem = parsed as { code?: unknown; detail?: unknown; details?: unknown } | undefined;
      const error =
        typeof problem?.code === "string" && typeof problem.detail === "string"
          ? new ApiError(
              res.status,
              problem.code,
              problem.detail,
              typeof problem.details === "object" && problem.details !== null
                ? (problem.details as Record<string, unknown>)
                : {},
            )
          : unexpectedResponse(res.status);
      if (res.status === 401 && !spec.probe) this.#onUnauthenticated(error);
      throw error;
    }
    return { body: parsed as T, headers: res.headers };
  }

  /**
   * Check the token: any answer but 401 means the server knows it (a 403 only means it lacks
   * `secrets:read`).
   * @throws ApiError UNAUTHENTICATED for a wrong, expired or revoked token; NETWORK, RATE_LIMITED
   */
  async verifyToken(): Promise<void> {
    try {
      await this.#send("GET", "/v1/secrets", { query: { limit: 1 }, probe: true });
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) return;
      throw err;
    }
  }

  /** One page of the secrets list. */
  async listSecrets(filters: ListFilters, limit: number, cursor?: string): Promise<ListResult> {
    const query: Query = {
      pattern: filters.pattern,
      tag: filters.tags,
      scope: filters.scope,
      provider: filters.provider,
      includeDeleted: filters.includeDeleted || undefined,
      // Hard-expired secrets are listed too (with their badge): hiding them made them vanish.
      includeExpired: true,
      staleOnly: filters.staleOnly || undefined,
      limit,
      cursor,
    };
    return (await this.#send<ListResult>("GET", "/v1/secrets", { query })).body;
  }

  /** Full metadata of a secret (every env state, versions, entanglement). */
  async inspect(address: SecretAddress): Promise<Inspection> {
    return (await this.#send<Inspection>("GET", secretPath(address.name, "/inspect"), { query: addressQuery(address) }))
      .body;
  }

  /** The value of one state, revealed for a purpose (audited). */
  async reveal(address: SecretAddress, purpose: string, env?: string): Promise<string> {
    const { body } = await this.#send<SecretResult>("GET", secretPath(address.name), {
      query: { ...addressQuery(address), reveal: true, env },
      headers: { "x-coffer-purpose": purpose },
    });
    if (typeof body.value !== "string") throw new ApiError(200, "UNEXPECTED", "the server sent no value");
    return body.value;
  }

  /** Version history of one state. */
  async versions(address: SecretAddress, env?: string): Promise<SecretVersionInfo[]> {
    return (
      await this.#send<{ items: SecretVersionInfo[] }>("GET", secretPath(address.name, "/versions"), {
        query: { ...addressQuery(address), env },
      })
    ).body.items;
  }

  /**
   * Create or update a secret.
   * @throws ApiError CONFLICT (412) when `ifVersion` is no longer current, ALREADY_EXISTS (409) for `createOnly`
   */
  async putSecret(
    name: string,
    scope: ScopeRef,
    provider: string | undefined,
    body: PutSecretBody,
    conditions: WriteConditions = {},
  ): Promise<WriteResult> {
    const headers: Record<string, string> = {};
    if (conditions.ifVersion !== undefined) headers["if-match"] = `"${conditions.ifVersion}"`;
    if (conditions.createOnly) headers["if-none-match"] = "*";
    return (
      await this.#send<WriteResult>("PUT", secretPath(name), {
        query: { ...scopeQuery(scope), provider },
        json: body,
        headers,
      })
    ).body;
  }

  /** Rotate to a given or generated value. */
  async rotate(address: SecretAddress, body: RotateBody): Promise<RotateResult> {
    return (
      await this.#send<RotateResult>("POST", secretPath(address.name, "/rotate"), {
        query: addressQuery(address),
        json: body,
      })
    ).body;
  }

  /** Write an earlier version's value again as a new version (`POST .../rollback`). */
  async rollback(address: SecretAddress, to: number, env?: string): Promise<WriteResult> {
    return (
      await this.#send<WriteResult>("POST", secretPath(address.name, "/rollback"), {
        query: addressQuery(address),
        json: env === undefined ? { to } : { to, env },
      })
    ).body;
  }

  /** Entangle with another secret of the same scope; answers the whole group. */
  async entangle(address: SecretAddress, other: string): Promise<{ group: string[] }> {
    return (
      await this.#send<{ group: string[] }>("POST", secretPath(address.name, "/entangle"), {
        query: scopeQuery(address.scope),
        json: { with: other },
      })
    ).body;
  }

  /** Remove the link with another secret of the same scope. */
  async disentangle(address: SecretAddress, other: string): Promise<{ removed: boolean }> {
    return (
      await this.#send<{ removed: boolean }>("POST", secretPath(address.name, "/disentangle"), {
        query: scopeQuery(address.scope),
        json: { with: other },
      })
    ).body;
  }

  /** Delete recoverably. */
  async deleteSecret(address: SecretAddress): Promise<DeleteResult> {
    return (await this.#send<DeleteResult>("DELETE", secretPath(address.name), { query: addressQuery(address) })).body;
  }

  /** Undo a delete. */
  async restore(address: SecretAddress): Promise<RestoreResult> {
    return (
      await this.#send<RestoreResult>("POST", secretPath(address.name, "/restore"), {
        query: addressQuery(address),
        json: {},
      })
    ).body;
  }

  /** A page of audit entries, newest first. */
  async audit(filters: AuditFilters, limit: number, cursor?: string): Promise<AuditPage> {
    const query: Query = { ...filters, failed: filters.failed || undefined, limit, cursor };
    return (await this.#send<AuditPage>("GET", "/v1/audit", { query })).body;
  }

  /** Verify the audit hash chain. */
  async verifyAudit(): Promise<AuditVerification> {
    return (await this.#send<AuditVerification>("GET", "/v1/audit/verify")).body;
  }

  /** Provider health in read order. */
  async providers(): Promise<ProvidersReport> {
    return (await this.#send<ProvidersReport>("GET", "/v1/providers")).body;
  }
}

const FALLBACK_VOCABULARY: ApiVocabulary = {
  scopeKinds: ["global", "project", "team", "org", "user", "agent", "plugin"],
  auditActions: [],
  secretFormats: [],
};

/**
 * Scope kinds, audit actions and generator formats, read from the server's OpenAPI document
 * (no authentication), so the dashboard offers exactly what this server accepts.
 */
export async function loadVocabulary(): Promise<ApiVocabulary> {
  try {
    const res = await fetch(apiUrl("/openapi.json"), { cache: "no-store", credentials: "omit" });
    if (!res.ok) return FALLBACK_VOCABULARY;
    const doc = (await res.json()) as {
      components?: { schemas?: Record<string, { properties?: Record<string, { enum?: unknown }> }> };
    };
    const enumOf = (schema: string, property: string): string[] => {
      const values = doc.components?.schemas?.[schema]?.properties?.[property]?.enum;
      return Array.isArray(values) ? values.filter((v): v is string => typeof v === "string") : [];
    };
    const scopeKinds = enumOf("ScopeRef", "kind");
    return {
      scopeKinds: scopeKinds.length > 0 ? scopeKinds : FALLBACK_VOCABULARY.scopeKinds,
      auditActions: enumOf("AuditEntry", "action"),
      secretFormats: enumOf("SecretView", "rotationFormat"),
    };
  } catch {
    return FALLBACK_VOCABULARY;
  }
}
