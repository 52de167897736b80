import { CofferError } from "../errors/index.js";
import type { Hook, HookPayload, HookVeto } from "./hook.js";
import type { WebhookHookDefinition } from "./hook-definition.js";
import { webhookSecretReference } from "./hook-definition.js";
import { hookFailure, printableHookText } from "./hook-failure.js";
import { hookMatchOf } from "./hook-match.js";
import { guardedLookup, isIpLiteral, isPrivateAddress, PRIVATE_ADDRESS_ERROR_CODE } from "./network-address-policy.js";
import { signWebhookPayload, WEBHOOK_SIGNATURE_HEADER } from "./webhook-signature.js";

/** Statuses by which a before-webhook vetoes the operation (any other failure blocks it as an error). */
export const WEBHOOK_VETO_STATUSES = [403, 409, 422] as const;

const MAX_RESPONSE_BYTES = 4096;
const SECRET_CACHE_MS = 300_000;

/** Options of {@link webhookHook} besides the definition. */
export interface WebhookHookContext {
  /** Resolves a `${secret:NAME}` signing secret. */
  resolveSecret?: (name: string) => Promise<string>;
  /** Time source for the signature timestamp. @default Date.now */
  now?: () => number;
}

/** A text field of a JSON answer (`veto`, `reason`), sanitized; undefined when absent or not JSON. */
function answerField(body: string, field: "veto" | "reason"): string | undefined {
  try {
    const parsed = JSON.parse(body) as unknown;
    if (parsed && typeof parsed === "object" && typeof (parsed as Record<string, unknown>)[field] === "string") {
      return printableHookText((parsed as Record<string, string>)[field]!);
    }
  } catch {
    // not JSON
  }
  return undefined;
}

/**
 * A hook that POSTs the payload as JSON to a URL, signed with HMAC-SHA256 over
 * `${timestamp}.${body}` in the `Coffer-Signature: t=<unix>,v1=<hex>` header. Loopback, private
 * and link-local addresses are refused (IP literals before connecting, names at connect time
 * on every resolved address) unless `allowPrivateNetwork`. Redirects are not followed.
 *
 * A before-webhook vetoes with HTTP 403, 409 or 422, or a 2xx answer `{"veto": "reason"}`;
 * other non-2xx answers, timeouts and network errors are failures. Messages name only the
 * URL's origin (paths can hold tokens) and never the signing secret.
 */
export function webhookHook(def: WebhookHookDefinition, context: WebhookHookContext = {}): Hook {
  const url = new URL(def.url);
  const origin = url.origin;
  const label = `webhook ${def.id} (${origin})`;
  const reference = webhookSecretReference(def.secret);
  const now = context.now ?? Date.now;
  let cached: { value: string; at: number } | undefined;
  const fail = (message: string, code: "UNAVAILABLE" | "PERMISSION_DENIED" = "UNAVAILABLE", cause?: unknown) =>
    hookFailure(def.id, label, message, code, cause);

  async function signingSecret(): Promise<string> {
    if (reference === undefined) return def.secret;
    if (cached && now() - cached.at < SECRET_CACHE_MS) return cached.value;
    if (!context.resolveSecret) throw fail("signs with a Coffer secret, but no secret resolver is configured");
    const value = await context.resolveSecret(reference);
    cached = { value, at: now() };
    return value;
  }

  return {
    id: def.id,
    phase: def.phase,
    match: hookMatchOf(def),
    // biome-ignore lint/suspicious/noConfusingVoidType: a hook that returns nothing lets the operation proceed
    async run(payload: HookPayload): Promise<void | HookVeto> {
      if (
        !def.allowPrivateNetwork &&
        isIpLiteral(url.hostname) &&
        isPrivateAddress(url.hostname.replace(/^\[|\]$/g, ""))
      ) {
        throw fail(
          `refused: ${url.hostname} is a loopback, private or link-local address (set allowPrivateNetwork: true to allow it)`,
          "PERMISSION_DENIED",
        );
      }
      const secret = await signingSecret();
      const body = JSON.stringify(payload);
      const timestamp = Math.floor(now() / 1000);
      // Loaded on first use: the HTTP stack is not needed by commands that fire no webhook.
      const send =
        url.protocol === "https:" ? (await import("node:https")).request : (await import("node:http")).request;
      const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const timer = setTimeout(
          () => req.destroy(fail(`timed out after ${def.timeoutSeconds}s`)),
          def.timeoutSeconds * 1000,
        );
        const req = send(
          url,
          {
            method: "POST",
            agent: false,
            headers: {
              "content-type": "application/json",
              "content-length": Buffer.byteLength(body),
              "user-agent": "coffer-hooks/1",
              [WEBHOOK_SIGNATURE_HEADER]: signWebhookPayload(secret, body, timestamp),
              "coffer-event": payload.event,
              "coffer-hook-id": def.id,
            },
            ...(def.allowPrivateNetwork
              ? {}
              : { lookup: guardedLookup as unknown as typeof import("node:dns").lookup }),
          },
          (res) => {
            const chunks: Buffer[] = [];
            let size = 0;
            res.on("data", (chunk: Buffer) => {
              if (size < MAX_RESPONSE_BYTES) chunks.push(chunk);
              size += chunk.length;
            });
            res.on("end", () => {
              clearTimeout(timer);
              resolve({
                status: res.statusCode ?? 0,
                text: Buffer.concat(chunks).toString("utf8").slice(0, MAX_RESPONSE_BYTES),
              });
            });
            res.on("error", (err) => {
              clearTimeout(timer);
              reject(err);
            });
          },
        );
        req.on("error", (err: NodeJS.ErrnoException) => {
          clearTimeout(timer);
          if (err instanceof CofferError) return reject(err);
          if (err.code === PRIVATE_ADDRESS_ERROR_CODE) {
            return reject(
              fail(`refused: ${err.message} (set allowPrivateNetwork: true to allow it)`, "PERMISSION_DENIED"),
            );
          }
          reject(fail(`failed: ${err.code ?? "network error"}`, "UNAVAILABLE", err));
        });
        req.end(body);
      });
      if (status >= 200 && status < 300) {
        if (def.phase === "before") {
          const veto = answerField(text, "veto");
          if (veto !== undefined) return { veto: veto || "vetoed" };
        }
        return;
      }
      if (def.phase === "before" && (WEBHOOK_VETO_STATUSES as readonly number[]).includes(status)) {
        return {
          veto: answerField(text, "veto") || answerField(text, "reason") || `${origin} answered HTTP ${status}`,
        };
      }
      throw fail(`answered HTTP ${status}`);
    },
  };
}
