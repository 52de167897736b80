import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { CofferError, validateAgentId } from "@coffer/core";

/** One accepted bearer token: the agent it stands for and the SHA-256 of the token (hex). */
export interface HttpTokenEntry {
  /** Agent id calls with this token act and are audited as. */
  agentId: string;
  /** Lowercase hex SHA-256 of the token; the token itself is never stored. */
  tokenSha256: string;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** SHA-256 of a token, lowercase hex. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** A new random bearer token (`cmcp_` + 32 random bytes, base64url) and its hash. */
export function mintHttpToken(): { token: string; tokenSha256: string } {
  const token = `cmcp_${randomBytes(32).toString("base64url")}`;
  return { token, tokenSha256: hashToken(token) };
}

function entry(agentId: unknown, tokenSha256: unknown, where: string): HttpTokenEntry {
  if (typeof agentId !== "string")
    throw new CofferError("CONFIG", `${where}: agentId must be a string`, { field: where });
  validateAgentId(agentId, `${where} agentId`);
  const hash = typeof tokenSha256 === "string" ? tokenSha256.trim().toLowerCase() : "";
  if (!SHA256_HEX.test(hash)) {
    throw new CofferError("CONFIG", `${where}: tokenSha256 must be 64 hex characters (sha256 of the token)`, {
      field: where,
    });
  }
  return { agentId, tokenSha256: hash };
}

/**
 * The tokens accepted over HTTP: config `mcp.http.tokens` (a list of `{ agentId, tokenSha256 }`)
 * plus env `COFFER_MCP_TOKENS` (`agent-id:sha256hex,other:sha256hex`).
 * @throws CofferError CONFIG for a malformed entry
 */
export function loadHttpTokens(
  mcpConfig: Record<string, unknown> | undefined,
  envValue: string | undefined,
): HttpTokenEntry[] {
  const entries: HttpTokenEntry[] = [];
  const http = mcpConfig?.http as Record<string, unknown> | undefined;
  const configured = http?.tokens;
  if (configured !== undefined) {
    if (!Array.isArray(configured))
      throw new CofferError("CONFIG", "mcp.http.tokens must be a list of { agentId, tokenSha256 }", {
        field: "mcp.http.tokens",
      });
    configured.forEach((item: unknown, i) => {
      const record = (item ?? {}) as Record<string, unknown>;
      entries.push(entry(record.agentId, record.tokenSha256, `mcp.http.tokens[${i}]`));
    });
  }
  if (envValue !== undefined && envValue.trim().length > 0) {
    for (const [i, pair] of envValue.split(",").entries()) {
      const text = pair.trim();
      if (text.length === 0) continue;
      const at = text.lastIndexOf(":");
      entries.push(
        entry(at > 0 ? text.slice(0, at) : "", at > 0 ? text.slice(at + 1) : "", `COFFER_MCP_TOKENS item ${i + 1}`),
      );
    }
  }
  return entries;
}

/**
 * An authenticator for `Authorization` headers: the agent id of a valid `Bearer` token, else
 * `undefined`. Compares hashes in constant time against every entry.
 */
export function createTokenAuthenticator(
  entries: readonly HttpTokenEntry[],
): (authorization: string | undefined) => string | undefined {
  const known = entries.map((e) => ({ agentId: e.agentId, hash: Buffer.from(e.tokenSha256, "hex") }));
  return (authorization) => {
    if (typeof authorization !== "string") return undefined;
    const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(authorization);
    if (!match?.[1]) return undefined;
    const presented = createHash("sha256").update(match[1], "utf8").digest();
    let agentId: string | undefined;
    for (const candidate of known) {
      if (timingSafeEqual(candidate.hash, presented) && agentId === undefined) agentId = candidate.agentId;
    }
    return agentId;
  };
}
