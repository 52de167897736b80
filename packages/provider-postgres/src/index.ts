/**
 * `@coffer/provider-postgres`: Coffer's team store on PostgreSQL. Every replica of
 * `coffer-server` (or any process) pointed at one database shares secrets, versions, the audit
 * chain, API tokens and approvals. Values are sealed with AES-256-GCM under a data key per team,
 * org and project scope (one more for the rest), wrapped by the master key.
 *
 * @example
 * ```yaml
 * # coffer.yaml
 * defaultProvider: postgres
 * providers:
 *   postgres:
 *     connectionString: ${env:COFFER_DATABASE_URL}
 *     ssl: { ca: /etc/coffer/pg-ca.pem }
 *     masterKey: { kms: aws, keyId: alias/coffer, region: eu-west-1 }
 * ```
 *
 * ```ts
 * import { postgres } from "@coffer/provider-postgres";
 *
 * const store = postgres({ connectionString: "postgres://coffer@db/coffer", masterKey: process.env.COFFER_MASTER_KEY });
 * await store.set({ name: "STRIPE_KEY", scope: { kind: "team", id: "payments" } }, { value: "sk_live_..." });
 * await store.dispose();
 * ```
 */
export type { PgAuditLog } from "./audit/pg-audit-log.js";
export { MIGRATIONS, SCHEMA_VERSION } from "./db/migrations.js";
export type { PgDocumentStore } from "./documents/pg-document-store.js";
export type { KmsMasterKey, PostgresProviderOptions, PostgresSslOptions } from "./options.js";
export { POSTGRES_CAPABILITIES, type PostgresProvider, postgres } from "./postgres-provider.js";
