import { decayOf } from "../expiry/decay.js";
import type { HookReport } from "../hooks/hook.js";
import { scopeLabel } from "../model/scope.js";
import type { SecretMetadata } from "../model/secret.js";
import { maskValue } from "../redact/index.js";
import type { EntangleFailure, SecretView, WriteResult } from "./types.js";
import { attributesOf } from "./validate.js";

/** Preview shown for a write-only secret instead of a masked value. */
export const WRITE_ONLY_PREVIEW = "(write-only)";

/**
 * The metadata view every front end shows. The preview is masked (`maskValue`), `(write-only)`
 * for write-only secrets, and `********` when the value was not read.
 */
export function secretView(meta: SecretMetadata, value: string | undefined, now: Date): SecretView {
  const masked = meta.writeOnly
    ? WRITE_ONLY_PREVIEW
    : value === undefined
      ? "********"
      : maskValue(meta.encoding === "base64" ? `base64:${value}` : value);
  return {
    ...attributesOf(meta),
    name: meta.name,
    scope: meta.scope,
    scopeLabel: scopeLabel(meta.scope),
    ...(meta.env !== undefined ? { env: meta.env } : {}),
    version: meta.version,
    encoding: meta.encoding,
    createdAt: meta.createdAt,
    updatedAt: meta.updatedAt,
    provider: meta.provider,
    decay: decayOf(meta, now),
    maskedValue: masked,
    ...(meta.deletedAt ? { deletedAt: meta.deletedAt, purgeAt: meta.purgeAt } : {}),
  };
}

/** The answer of a write. */
export function writeResult(
  meta: SecretMetadata,
  entangled: string[],
  hooks: HookReport[],
  entangleFailures?: EntangleFailure[],
): WriteResult {
  return {
    name: meta.name,
    scope: meta.scope,
    scopeLabel: scopeLabel(meta.scope),
    ...(meta.env !== undefined ? { env: meta.env } : {}),
    version: meta.version,
    provider: meta.provider,
    createdAt: meta.createdAt,
    updatedAt: meta.updatedAt,
    entangled,
    ...(entangleFailures ? { entangleFailures } : {}),
    hooks,
    ...(meta.replacedDeleted ? { replacedDeleted: true } : {}),
  };
}
