import { readFileSync } from "node:fs";
import { CofferError, checkProviderOptionNames, type OptionNames } from "@coffer/core";

/** A master key held by AWS KMS: data keys are wrapped by `Encrypt` and opened by `Decrypt`, so no replica holds a key file. */
export interface KmsMasterKey {
  /** Key service. */
  kms: "aws";
  /** KMS key id, ARN or alias (`alias/coffer`). */
  keyId: string;
  /** AWS region. @default the SDK's resolution (AWS_REGION, profile) */
  region?: string;
  /** Endpoint URL override (emulators, VPC endpoints). @default the regional AWS endpoint */
  endpoint?: string;
  /** Explicit credentials instead of the SDK's default chain (tests). @default the SDK's default credential chain */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** TLS to PostgreSQL. */
export interface PostgresSslOptions {
  /** PEM text of the CA to trust, or a path to a PEM file. @default the system's trusted CAs */
  ca?: string;
  /** Verify the server's certificate and host name. @default true */
  verify?: boolean;
}

/**
 * Options of {@link postgres}. Give either `connectionString` or the separate connection fields.
 * Strings may contain `${env:VAR}`, replaced by that environment variable.
 */
export interface PostgresProviderOptions {
  /** Instance name shown in provenance. @default "postgres" */
  name?: string;
  /** `postgres://user:password@host:port/database` (may contain `${env:VAR}`). */
  connectionString?: string;
  /** Server host. @default "localhost" */
  host?: string;
  /** Server port. @default 5432 */
  port?: number;
  /** User name. */
  user?: string;
  /** Password (use `${env:VAR}`; never write it into a config file). */
  password?: string;
  /** Database name. @default the user name */
  database?: string;
  /** TLS: `true` (verify against the system CAs), `false`, or CA and verification settings. @default false */
  ssl?: boolean | PostgresSslOptions;
  /** Schema holding Coffer's tables (created when missing). @default "coffer" */
  schema?: string;
  /** Connections kept by this process. @default 10 */
  poolSize?: number;
  /** Statement timeout applied to every connection, in milliseconds. @default 10000 */
  statementTimeoutMs?: number;
  /** How long to wait for a connection before answering UNAVAILABLE, in milliseconds. @default 5000 */
  connectTimeoutMs?: number;
  /**
   * Master key: 32 random bytes as hex or base64, a passphrase, or an AWS KMS key.
   * @default `COFFER_MASTER_KEY`, else the contents of `keyFile`
   */
  masterKey?: string | KmsMasterKey;
  /** File holding the master key (mode 0600), used when neither `masterKey` nor `COFFER_MASTER_KEY` is set. */
  keyFile?: string;
  /** Versions kept per secret state. @default 20 */
  historyLimit?: number;
  /** Default recovery window of soft deletes, in days. @default 7 */
  recoveryWindowDays?: number;
  /** Environment read for `${env:VAR}` and `COFFER_MASTER_KEY`. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Current time (tests). @default () => new Date() */
  clock?: () => Date;
  /** Read priority in a chain (used by the runtime's config). */
  priority?: number;
}

/** Where the master key comes from, resolved. */
export type ResolvedMasterKey =
  | { kind: "text"; text: string; source: "option" | "env" }
  | { kind: "key-file"; path: string }
  | { kind: "kms"; kms: KmsMasterKey };

/** Options with defaults applied and values checked. */
export interface ResolvedPostgresOptions {
  name: string;
  /** Connection settings for `pg` (the password stays in here, never in a message). */
  connection: {
    connectionString?: string;
    host?: string;
    port?: number;
    user?: string;
    password?: string;
    database?: string;
    ssl?: false | { ca?: string; rejectUnauthorized: boolean };
  };
  /** `host:port/database` for messages (no credentials). */
  target: string;
  schema: string;
  poolSize: number;
  statementTimeoutMs: number;
  connectTimeoutMs: number;
  masterKey: ResolvedMasterKey;
  historyLimit: number;
  recoveryWindowDays: number;
  clock: () => Date;
}

const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function configError(field: string, message: string): CofferError {
  return new CofferError("CONFIG", `postgres provider: ${message}`, { field });
}

function expand(value: unknown, field: string, env: NodeJS.ProcessEnv): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw configError(field, `${field} must be a string`);
  return value.replace(ENV_REF, (_m, name: string) => {
    const v = env[name];
    if (v === undefined) throw configError(field, `${field} refers to \${env:${name}}, which is not set`);
    return v;
  });
}

function positiveInt(value: unknown, field: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > max) {
    throw configError(field, `${field} must be a whole number from 1 to ${max}`);
  }
  return value;
}

function readCa(ca: string): string {
  if (ca.includes("-----BEGIN")) return ca;
  try {
    return readFileSync(ca, "utf8");
  } catch (err) {
    throw new CofferError(
      "CONFIG",
      `postgres provider: cannot read the CA file ${ca}`,
      { field: "ssl.ca" },
      { cause: err },
    );
  }
}

/** `host:port/database` of a connection string, without credentials. */
function describeConnectionString(text: string): string {
  try {
    const url = new URL(text);
    return `${url.hostname}:${url.port || "5432"}${url.pathname}`;
  } catch {
    throw configError("connectionString", "connectionString is not a postgres:// URL");
  }
}

function resolveMasterKey(options: PostgresProviderOptions, env: NodeJS.ProcessEnv): ResolvedMasterKey {
  const given = options.masterKey;
  if (given !== undefined && typeof given === "object" && given !== null) {
    if (given.kms !== "aws") throw configError("masterKey.kms", 'masterKey.kms must be "aws"');
    if (typeof given.keyId !== "string" || given.keyId === "")
      throw configError("masterKey.keyId", "masterKey.keyId is required");
    for (const field of ["region", "endpoint"] as const) {
      if (given[field] !== undefined && typeof given[field] !== "string") {
        throw configError(`masterKey.${field}`, `masterKey.${field} must be a string`);
      }
    }
    return { kind: "kms", kms: { ...given } };
  }
  const text = expand(given, "masterKey", env);
  if (text !== undefined) return { kind: "text", text, source: "option" };
  const fromEnv = env.COFFER_MASTER_KEY;
  if (fromEnv !== undefined && fromEnv !== "") return { kind: "text", text: fromEnv, source: "env" };
  const keyFile = expand(options.keyFile, "keyFile", env);
  if (keyFile !== undefined) return { kind: "key-file", path: keyFile };
  throw configError(
    "masterKey",
    "a master key is required: set masterKey (32 random bytes as hex/base64, a passphrase, or { kms: aws, keyId }), COFFER_MASTER_KEY, or keyFile",
  );
}

/** Every option of {@link PostgresProviderOptions} (the compiler checks the list is complete). */
const POSTGRES_OPTION_NAMES: OptionNames<PostgresProviderOptions> = {
  name: true,
  connectionString: true,
  host: true,
  port: true,
  user: true,
  password: true,
  database: true,
  ssl: true,
  schema: true,
  poolSize: true,
  statementTimeoutMs: true,
  connectTimeoutMs: true,
  masterKey: true,
  keyFile: true,
  historyLimit: true,
  recoveryWindowDays: true,
  env: true,
  clock: true,
  priority: true,
};

/** Apply defaults and check every option. @throws CofferError CONFIG (an unknown option included) */
export function resolvePostgresOptions(options: PostgresProviderOptions = {}): ResolvedPostgresOptions {
  if (!options || typeof options !== "object") throw configError("options", "options must be an object");
  checkProviderOptionNames("postgres", options, POSTGRES_OPTION_NAMES);
  const env = options.env ?? process.env;
  const schema = options.schema ?? "coffer";
  if (typeof schema !== "string" || !SCHEMA_NAME.test(schema)) {
    throw configError("schema", "schema must be a lowercase identifier (letters, digits, _; at most 63)");
  }
  const connection: ResolvedPostgresOptions["connection"] = {};
  let target: string;
  const connectionString = expand(options.connectionString, "connectionString", env);
  if (connectionString !== undefined) {
    target = describeConnectionString(connectionString);
    connection.connectionString = connectionString;
  } else {
    const host = expand(options.host, "host", env) ?? "localhost";
    const port = options.port === undefined ? 5432 : positiveInt(options.port, "port", 5432, 65535);
    const user = expand(options.user, "user", env);
    const database = expand(options.database, "database", env) ?? user;
    if (user === undefined) throw configError("user", "give connectionString, or host/port/user/password/database");
    Object.assign(connection, { host, port, user, database });
    const password = expand(options.password, "password", env);
    if (password !== undefined) connection.password = password;
    target = `${host}:${port}/${database}`;
  }
  const ssl = options.ssl;
  if (ssl === true) connection.ssl = { rejectUnauthorized: true };
  else if (ssl && typeof ssl === "object") {
    const ca = expand(ssl.ca, "ssl.ca", env);
    if (ssl.verify !== undefined && typeof ssl.verify !== "boolean")
      throw configError("ssl.verify", "ssl.verify must be true or false");
    connection.ssl = { rejectUnauthorized: ssl.verify ?? true, ...(ca !== undefined ? { ca: readCa(ca) } : {}) };
  } else if (ssl !== undefined && ssl !== false) throw configError("ssl", "ssl must be true, false or { ca, verify }");
  const name = options.name ?? "postgres";
  if (typeof name !== "string" || name === "") throw configError("name", "name must be a non-empty string");
  const recoveryWindowDays = options.recoveryWindowDays ?? 7;
  if (typeof recoveryWindowDays !== "number" || !(recoveryWindowDays > 0) || recoveryWindowDays > 3650) {
    throw configError("recoveryWindowDays", "recoveryWindowDays must be more than 0 and at most 3650");
  }
  return {
    name,
    connection,
    target,
    schema,
    poolSize: positiveInt(options.poolSize, "poolSize", 10, 1000),
    statementTimeoutMs: positiveInt(options.statementTimeoutMs, "statementTimeoutMs", 10_000, 3_600_000),
    connectTimeoutMs: positiveInt(options.connectTimeoutMs, "connectTimeoutMs", 5_000, 600_000),
    masterKey: resolveMasterKey(options, env),
    historyLimit: positiveInt(options.historyLimit, "historyLimit", 20, 10_000),
    recoveryWindowDays,
    clock: options.clock ?? (() => new Date()),
  };
}
