// Shapes of the REST API's responses (docs/rest.md, /openapi.json) that are not core's own types.
// Every other response body is a core service type as JSON (`SecretView`, `ListResult`,
// `Inspection`, `WriteResult`, `AuditEntry`, ...): import those with `import type` from
// `@coffer/core`, which Vite erases, so no core code reaches the browser.
import type { AuditEntry, Coffer, HealthReport } from "@coffer/core";

/** What a restore did (`POST /v1/secrets/{name}/restore`). */
export type RestoreResult = Awaited<ReturnType<Coffer["restore"]>>;

/** A page of audit entries (`GET /v1/audit`). */
export interface AuditPage {
  /** Entries, newest first. */
  items: AuditEntry[];
  /** Cursor of older entries. */
  nextCursor?: string;
}

/** Health of every provider (`GET /v1/providers`): the service's health report without the expiry lists. */
export type ProvidersReport = Pick<HealthReport, "ok" | "chain" | "providers">;

/** Enumerations the API documents in /openapi.json. */
export interface ApiVocabulary {
  /** Scope kinds. */
  scopeKinds: string[];
  /** Audit actions. */
  auditActions: string[];
  /** Generator formats for rotation. */
  secretFormats: string[];
}
