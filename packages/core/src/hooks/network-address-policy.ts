import type { LookupAddress } from "node:dns";
import { isIP } from "node:net";

/** Error code of a connection refused because the address is not public. */
export const PRIVATE_ADDRESS_ERROR_CODE = "ECOFFER_PRIVATE_ADDRESS";

/** Parse dotted IPv4 into 4 bytes. */
export function parseIPv4(text: string): number[] | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const bytes = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : Number.NaN));
  return bytes.every((b) => b >= 0 && b <= 255) ? bytes : undefined;
}

/** Parse IPv6 (zone ids and an embedded dotted IPv4 tail allowed) into 16 bytes. */
export function parseIPv6(text: string): number[] | undefined {
  let s = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  let tail: number[] = [];
  if (s.includes(".")) {
    const lastColon = s.lastIndexOf(":");
    const v4 = lastColon < 0 ? undefined : parseIPv4(s.slice(lastColon + 1));
    if (!v4) return undefined;
    tail = v4;
    s = s.slice(0, lastColon + 1); // keep "::" whole, drop a single separating ":"
    if (!s.endsWith("::")) s = s.slice(0, -1);
  }
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const hextets = (part: string) => (part === "" ? [] : part.split(":"));
  const head = hextets(halves[0]!);
  const rest = halves.length === 2 ? hextets(halves[1]!) : [];
  const groups = 8 - tail.length / 2;
  if (halves.length === 1 ? head.length !== groups : head.length + rest.length > groups - 1) return undefined;
  const words = [...head, ...new Array(groups - head.length - rest.length).fill("0"), ...rest];
  const bytes: number[] = [];
  for (const w of words) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(w)) return undefined;
    const n = Number.parseInt(w, 16);
    bytes.push(n >> 8, n & 0xff);
  }
  return [...bytes, ...tail];
}

function ipv4IsPrivate(b: number[]): boolean {
  const [a, c, d] = [b[0]!, b[1]!, b[2]!];
  return (
    a === 0 || // "this network"
    a === 10 ||
    (a === 100 && (c & 0xc0) === 64) || // carrier-grade NAT 100.64/10
    a === 127 ||
    (a === 169 && c === 254) || // link-local, cloud metadata
    (a === 172 && (c & 0xf0) === 16) ||
    (a === 192 && c === 0 && (d === 0 || d === 2)) ||
    (a === 192 && c === 88 && d === 99) ||
    (a === 192 && c === 168) ||
    (a === 198 && (c === 18 || c === 19)) ||
    (a === 198 && c === 51 && d === 100) ||
    (a === 203 && c === 0 && d === 113) ||
    a >= 224 // multicast, reserved, broadcast
  );
}

function ipv6IsPrivate(b: number[]): boolean {
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return ipv4IsPrivate(b.slice(12)); // ::ffff:a.b.c.d
  if (zeros(0, 12)) return true; // ::, ::1 and deprecated IPv4-compatible addresses
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b) {
    return zeros(4, 12) ? ipv4IsPrivate(b.slice(12)) : true; // NAT64 well-known prefix / local-use NAT64
  }
  if (b[0] === 0x20 && b[1] === 0x02) return ipv4IsPrivate(b.slice(2, 6)); // 6to4
  if (b[0] === 0x20 && b[1] === 0x01 && ((b[2] === 0 && b[3] === 0) || (b[2] === 0x0d && b[3] === 0xb8))) return true; // Teredo, documentation
  return (b[0]! & 0xe0) !== 0x20; // only 2000::/3 is global unicast (ULA, link-local, multicast excluded)
}

/**
 * True when an IP address is not a public unicast address: loopback, private (RFC 1918, ULA),
 * link-local (169.254/16 with cloud metadata, fe80::/10), carrier-grade NAT, documentation,
 * multicast, reserved, unspecified -- for IPv4 and IPv6, including IPv4-mapped, NAT64 and 6to4
 * forms. Text that is not an IP address counts as not public.
 */
export function isPrivateAddress(address: string): boolean {
  const v4 = parseIPv4(address);
  if (v4) return ipv4IsPrivate(v4);
  const v6 = parseIPv6(address);
  return v6 ? ipv6IsPrivate(v6) : true;
}

/** True when a URL host (hostname or bracketed IPv6) is an IP literal. */
export function isIpLiteral(host: string): boolean {
  return isIP(host.startsWith("[") ? host.slice(1, -1) : host) !== 0;
}

function refusal(hostname: string, address: string): NodeJS.ErrnoException {
  const err = new Error(`${hostname} resolves to ${address}, which is not a public address`) as NodeJS.ErrnoException;
  err.code = PRIVATE_ADDRESS_ERROR_CODE;
  return err;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for `http.request` / `net.connect` that resolves the name and refuses it when any
 * resolved address is not public. The check runs on the addresses the socket then connects to,
 * at connect time, so a name that changes its answer between checks (DNS rebinding) cannot slip
 * through. (IP literals never reach `lookup`: check them with {@link isPrivateAddress} first.)
 */
export function guardedLookup(hostname: string, options: unknown, callback: LookupCallback): void {
  const opts = (typeof options === "object" && options !== null ? options : { family: options ?? 0 }) as {
    all?: boolean;
    family?: number;
    hints?: number;
  };
  void import("node:dns").then(
    ({ lookup: dnsLookup }) =>
      dnsLookup(
        hostname,
        { family: opts.family ?? 0, ...(opts.hints !== undefined ? { hints: opts.hints } : {}), all: true },
        (err, addresses) => {
          if (err) return callback(err, "");
          if (addresses.length === 0)
            return callback(Object.assign(new Error(`${hostname} did not resolve`), { code: "ENOTFOUND" }), "");
          const bad = addresses.find((a) => isPrivateAddress(a.address));
          if (bad) return callback(refusal(hostname, bad.address), "");
          if (opts.all) return callback(null, addresses);
          return callback(null, addresses[0]!.address, addresses[0]!.family);
        },
      ),
    (err: Error) => callback(err as NodeJS.ErrnoException, ""),
  );
}
