import { createHash } from "node:crypto";

/**
 * Coffer version numbers on AWS versions.
 *
 * Every version Coffer writes gets a deterministic `ClientRequestToken` (which AWS uses as the
 * VersionId): `coffer-v<N>-<32 hex of sha256(awsName, N)>`. Two writers racing for the same next
 * version of the same secret therefore send the same token; AWS accepts only one value under it,
 * so the loser gets ResourceExistsException (mapped to CONFLICT). The number can also be read
 * back from the VersionId of any version AWS still keeps, even after its label is gone. Each
 * written version also gets the staging label `coffer-v<N>` (for people and other tools).
 */

/** Staging label marking the current version. */
export const CURRENT_STAGE = "AWSCURRENT";
/** Staging label AWS moves to the previous current version. */
export const PREVIOUS_STAGE = "AWSPREVIOUS";
/** Coffer versions that keep their `coffer-v<N>` label (AWS allows 20 labels per secret in all). */
export const LABELED_VERSIONS_KEPT = 10;

const TOKEN = /^coffer-v([1-9][0-9]{0,9})-([0-9a-f]{32})$/;
const LABEL = /^coffer-v([1-9][0-9]{0,9})$/;

function tokenHash(awsName: string, version: number): string {
  return createHash("sha256").update(`${awsName}\n${version}`, "utf8").digest("hex").slice(0, 32);
}

/** ClientRequestToken (and so VersionId) of version `version` of the AWS secret `awsName`. */
export function versionToken(awsName: string, version: number): string {
  return `coffer-v${version}-${tokenHash(awsName, version)}`;
}

/** Version number carried by a Coffer VersionId of this secret, else undefined. */
export function versionOfToken(awsName: string, versionId: string): number | undefined {
  const match = TOKEN.exec(versionId);
  if (!match) return undefined;
  const version = Number(match[1]);
  return match[2] === tokenHash(awsName, version) ? version : undefined;
}

/** Staging label of version `version`. */
export function versionLabel(version: number): string {
  return `coffer-v${version}`;
}

/** Version number of a `coffer-v<N>` staging label, else undefined. */
export function versionOfLabel(label: string): number | undefined {
  const match = LABEL.exec(label);
  return match ? Number(match[1]) : undefined;
}

/** Version number of one AWS version: its `coffer-v<N>` label, else the number in its VersionId. */
export function versionNumberOf(
  awsName: string,
  versionId: string,
  stages: readonly string[] = [],
): number | undefined {
  for (const stage of stages) {
    const n = versionOfLabel(stage);
    if (n !== undefined) return n;
  }
  return versionOfToken(awsName, versionId);
}

/**
 * Staging label saying "this version's secret carries no attributes": Coffer puts it on the
 * version it writes when the write leaves no description, tags, TTL, expiry, rotation settings,
 * agent list or write-only flag. It names the secret's creation time (epoch milliseconds), so a
 * batch read of a current version holding it needs no listing for metadata: everything it would
 * give is known. It is the same text for every version of a secret, so PutSecretValue moves it
 * to the new version; a version written without it (attributes, or by another tool) leaves it
 * behind on an older version, where it means nothing.
 */
const PLAIN_LABEL = /^coffer-plain-([0-9]{1,15})$/;

/** The plain-version label of a secret created at `createdAt` (ISO 8601). */
export function plainLabel(createdAt: string): string | undefined {
  const ms = Date.parse(createdAt);
  return Number.isSafeInteger(ms) && ms >= 0 ? `coffer-plain-${ms}` : undefined;
}

/** The creation time a plain-version label among `stages` names (ISO 8601), else undefined. */
export function plainCreatedAt(stages: readonly string[]): string | undefined {
  for (const stage of stages) {
    const match = PLAIN_LABEL.exec(stage);
    if (match) return new Date(Number(match[1])).toISOString();
  }
  return undefined;
}
