import { CofferError } from "../errors/index.js";
import { cachedGlob, MAX_GLOB_LENGTH } from "../names/name-glob.js";
import { findTemplateReferences, type TemplateReference } from "../references/template-references.js";

/** One validated `proxy.routes` entry. */
export interface ProxyRoute {
  /** Host or `host:port` pattern as written (globs allowed: `*.example.com`), lower-cased. */
  host: string;
  /** Header templates (`Authorization: "Bearer {{ coffer://NAME }}"`), by header name as written. */
  headers: Record<string, string>;
  /** The references each header template holds, by header name. */
  references: Record<string, TemplateReference[]>;
  /** Canonical references this route names (the only ones it may substitute). */
  secretReferences: string[];
}

const MAX_ROUTES = 1000;
const MAX_HEADERS = 100;
const MAX_HEADER_VALUE_LENGTH = 8192;
/** RFC 9110 token characters of a header field name. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Host or host:port pattern: DNS characters, brackets for IPv6, glob characters. */
const HOST_PATTERN = /^[A-Za-z0-9.*?:[\]_-]+$/;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function configError(file: string, field: string, message: string): CofferError {
  return new CofferError("CONFIG", `${file}: "${field}" ${message}`, { field });
}

/**
 * Validate the `proxy` section of a config file (`proxy.routes`: a list of `{ host, headers }`).
 * Header values are templates whose `{{ coffer://NAME }}` references are parsed with core's
 * reference parser; no value is read here.
 * @throws CofferError CONFIG naming the offending field
 */
export function parseProxyConfig(raw: unknown, file: string): { routes: ProxyRoute[] } {
  if (raw === undefined || raw === null) return { routes: [] };
  if (!isPlainObject(raw)) throw configError(file, "proxy", "must be a mapping");
  for (const k of Object.keys(raw)) {
    if (k !== "routes") throw new CofferError("CONFIG", `${file}: unknown key "proxy.${k}"; valid keys are: routes`);
  }
  const list = raw.routes;
  if (list === undefined || list === null) return { routes: [] };
  if (!Array.isArray(list)) throw configError(file, "proxy.routes", "must be a list");
  if (list.length > MAX_ROUTES) throw configError(file, "proxy.routes", `may have at most ${MAX_ROUTES} entries`);
  return { routes: list.map((entry, i) => parseRoute(entry, file, `proxy.routes[${i}]`)) };
}

function parseRoute(entry: unknown, file: string, at: string): ProxyRoute {
  if (!isPlainObject(entry)) throw configError(file, at, "must be a mapping with host and headers");
  for (const k of Object.keys(entry)) {
    if (k !== "host" && k !== "headers")
      throw new CofferError("CONFIG", `${file}: unknown key "${at}.${k}"; valid keys are: host, headers`);
  }
  const host = entry.host;
  if (typeof host !== "string" || host.length === 0) throw configError(file, `${at}.host`, "must be a host name");
  if (host.length > MAX_GLOB_LENGTH)
    throw configError(file, `${at}.host`, `may have at most ${MAX_GLOB_LENGTH} characters`);
  if (!HOST_PATTERN.test(host))
    throw configError(file, `${at}.host`, "must be a host or host:port (letters, digits, . - _ : [ ] and globs * ?)");
  cachedGlob(host.toLowerCase());
  const rawHeaders = entry.headers ?? {};
  if (!isPlainObject(rawHeaders))
    throw configError(file, `${at}.headers`, "must be a mapping of header names to values");
  const names = Object.keys(rawHeaders);
  if (names.length > MAX_HEADERS) throw configError(file, `${at}.headers`, `may have at most ${MAX_HEADERS} entries`);
  const headers: Record<string, string> = {};
  const references: Record<string, TemplateReference[]> = {};
  const secretReferences = new Set<string>();
  for (const name of names) {
    if (!HEADER_NAME.test(name))
      throw configError(file, `${at}.headers`, "has a header name that is not a valid token");
    const value = rawHeaders[name];
    if (typeof value !== "string") throw configError(file, `${at}.headers.${name}`, "must be a string");
    if (value.length > MAX_HEADER_VALUE_LENGTH)
      throw configError(file, `${at}.headers.${name}`, `may have at most ${MAX_HEADER_VALUE_LENGTH} characters`);
    if (/[\r\n\0]/.test(value)) throw configError(file, `${at}.headers.${name}`, "must not contain line breaks or NUL");
    let found: TemplateReference[];
    try {
      found = findTemplateReferences(value);
    } catch (err) {
      const reason = err instanceof CofferError ? err.message : "malformed reference";
      throw configError(file, `${at}.headers.${name}`, `holds an invalid reference (${reason})`);
    }
    headers[name] = value;
    references[name] = found;
    for (const r of found) secretReferences.add(r.canonical);
  }
  return { host: host.toLowerCase(), headers, references, secretReferences: [...secretReferences] };
}

/**
 * The first route whose host pattern matches a request's host: a pattern with a port matches
 * `host:port`, one without matches the host name on any port. Hosts compare case-insensitively.
 */
export function matchProxyRoute(routes: readonly ProxyRoute[], host: string, port: number): ProxyRoute | undefined {
  const name = host.toLowerCase().replace(/\.$/, "");
  const withPort = `${name}:${port}`;
  for (const route of routes) {
    const glob = cachedGlob(route.host);
    if (route.host.includes(":") && !route.host.endsWith("]") ? glob.test(withPort) : glob.test(name)) return route;
  }
  return undefined;
}
