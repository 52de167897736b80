import { createHmac, timingSafeEqual } from "node:crypto";

/** Header carrying the signature of a webhook delivery. */
export const WEBHOOK_SIGNATURE_HEADER = "Coffer-Signature";

/** Default window, seconds, in which a receiver accepts a signed timestamp. */
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

/** Hex HMAC-SHA256 of `${timestamp}.${body}` under the webhook secret. */
function mac(secret: string, timestamp: number, body: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`, "utf8").digest("hex");
}

/**
 * The `Coffer-Signature` header value for a body sent at `timestamp` (unix seconds):
 * `t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
 */
export function signWebhookPayload(secret: string, body: string, timestamp: number): string {
  return `t=${timestamp},v1=${mac(secret, timestamp, body)}`;
}

/**
 * For receivers: true when `header` (the `Coffer-Signature` value) signs exactly `body` (the raw
 * request body, as received) under `secret`, and its timestamp is within `toleranceSeconds` of
 * `now` -- so a captured delivery cannot be replayed later. Any `v1` entry may match (secret
 * rotation). Comparison is constant-time.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | undefined | null,
  body: string,
  toleranceSeconds: number = DEFAULT_SIGNATURE_TOLERANCE_SECONDS,
  now: number = Date.now(),
): boolean {
  if (typeof secret !== "string" || secret === "" || typeof header !== "string" || typeof body !== "string")
    return false;
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === "t" && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === "v1" && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  if (timestamp === undefined || signatures.length === 0) return false;
  if (!(toleranceSeconds >= 0) || Math.abs(now / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(mac(secret, timestamp, body), "hex");
  return signatures.some((s) => timingSafeEqual(Buffer.from(s, "hex"), expected));
}
