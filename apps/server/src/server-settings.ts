import { CofferError } from "@coffer/core";

/** Rate limits, each counted over one window. */
export interface RateLimitSettings {
  /** Window length, seconds. @default 60 */
  windowSeconds: number;
  /** Requests per token per window. @default 600 */
  perToken: number;
  /** Requests per client address per window (authenticated or not). @default 1200 */
  perAddress: number;
  /** Failed authentications per client address per window; past it the address is refused until the window ends. @default 10 */
  authFailuresPerAddress: number;
}

/** The `server` section of the configuration, validated, with defaults. */
export interface ServerSettings {
  /** Interface to bind. @default "127.0.0.1" */
  host: string;
  /** Port. @default 8787 */
  port: number;
  /** Origins allowed to call the API from a browser. @default none (no CORS headers at all) */
  corsOrigins: string[];
  /** Rate limits. */
  rateLimit: RateLimitSettings;
}

/** Default port of coffer-server. */
export const DEFAULT_PORT = 8787;
/** Default bind address: loopback only. */
export const DEFAULT_HOST = "127.0.0.1";

const SERVER_KEYS = ["host", "port", "cors", "rateLimit"];
const RATE_KEYS = ["windowSeconds", "perToken", "perAddress", "authFailuresPerAddress"] as const;

/**
 * Read the `server` section of the merged config (`server.host`, `server.port`,
 * `server.cors.origins`, `server.rateLimit.*`).
 * @throws CofferError CONFIG naming the offending key
 */
export function readServerSettings(section: Record<string, unknown> | undefined): ServerSettings {
  const s = section ?? {};
  if (typeof s !== "object" || Array.isArray(s)) throw configError("server", "must be a mapping");
  for (const key of Object.keys(s)) {
    if (!SERVER_KEYS.includes(key))
      throw configError(`server.${key}`, `is not a known setting (known: ${SERVER_KEYS.join(", ")})`);
  }
  const host = s.host ?? DEFAULT_HOST;
  if (typeof host !== "string" || host.length === 0) throw configError("server.host", "must be a host name or address");
  const port = s.port ?? DEFAULT_PORT;
  if (!isPort(port)) throw configError("server.port", "must be a port number 0-65535");
  const corsOrigins = readCors(s.cors);
  const rateLimit: RateLimitSettings = {
    windowSeconds: 60,
    perToken: 600,
    perAddress: 1200,
    authFailuresPerAddress: 10,
  };
  if (s.rateLimit !== undefined) {
    const r = s.rateLimit as Record<string, unknown>;
    if (typeof r !== "object" || r === null || Array.isArray(r))
      throw configError("server.rateLimit", "must be a mapping");
    for (const [key, value] of Object.entries(r)) {
      if (!(RATE_KEYS as readonly string[]).includes(key)) {
        throw configError(`server.rateLimit.${key}`, `is not a known setting (known: ${RATE_KEYS.join(", ")})`);
      }
      if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
        throw configError(`server.rateLimit.${key}`, "must be a positive whole number");
      }
      rateLimit[key as (typeof RATE_KEYS)[number]] = value;
    }
  }
  return { host, port: port as number, corsOrigins, rateLimit };
}

/** True for an integer port 0-65535. */
export function isPort(value: unknown): boolean {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 65535;
}

function readCors(cors: unknown): string[] {
  if (cors === undefined) return [];
  if (typeof cors !== "object" || cors === null || Array.isArray(cors))
    throw configError("server.cors", "must be a mapping with `origins`");
  const { origins, ...rest } = cors as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) throw configError(`server.cors.${extra}`, "is not a known setting (known: origins)");
  if (origins === undefined) return [];
  if (!Array.isArray(origins)) throw configError("server.cors.origins", "must be a list of origins");
  return origins.map((origin, i) => {
    if (typeof origin !== "string" || !/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw configError(
        `server.cors.origins[${i}]`,
        "must be an origin like https://app.example.com (scheme, host, optional port)",
      );
    }
    return origin;
  });
}

function configError(key: string, problem: string): CofferError {
  return new CofferError("CONFIG", `config ${key} ${problem}`, { field: key });
}
