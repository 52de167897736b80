import { parseCofferTags } from "../metadata/secret-tags.js";

/** The parts of an Azure secret version that decide its Coffer version number. */
export interface AzureVersionProperties {
  /** Azure version id. */
  version?: string;
  /** When Azure created the version (second precision). */
  createdOn?: Date;
  /** Tags of the version. */
  tags?: Record<string, string>;
}

/** An Azure version with its Coffer version number. */
export interface NumberedVersion<T extends AzureVersionProperties> {
  /** Coffer version number, 1-based and strictly increasing with age. */
  number: number;
  /** The Azure version. */
  properties: T;
}

const timeOf = (p: AzureVersionProperties) => p.createdOn?.getTime() ?? 0;

/**
 * True when the order of some versions cannot be told from their times and tags: two versions
 * created in the same second, at least one of them without a `coffer-version` tag. The Azure id
 * of the current version (`latestVersionId` of {@link numberVersions}) settles it.
 */
export function hasAmbiguousOrder(versions: readonly AzureVersionProperties[]): boolean {
  const seen = new Map<number, boolean>();
  for (const properties of versions) {
    const untagged = parseCofferTags(properties.tags).version === undefined;
    const time = timeOf(properties);
    const earlier = seen.get(time);
    if (earlier !== undefined && (earlier || untagged)) return true;
    seen.set(time, (earlier ?? false) || untagged);
  }
  return false;
}

/**
 * Number the versions of one Azure secret, oldest first. A version written by Coffer keeps the
 * number in its `coffer-version` tag; a version written by another tool (or any tag that would
 * not increase) gets the previous number plus one. Azure times have one-second precision, so
 * versions of the same second are ordered by their tag, untagged ones after tagged ones, and the
 * current version (`latestVersionId`, when known) after every other.
 */
export function numberVersions<T extends AzureVersionProperties>(
  versions: readonly T[],
  latestVersionId?: string,
): NumberedVersion<T>[] {
  const keyed = versions.map((properties) => ({ properties, tag: parseCofferTags(properties.tags).version }));
  const isLatest = (p: AzureVersionProperties) =>
    latestVersionId !== undefined && p.version === latestVersionId ? 1 : 0;
  keyed.sort(
    (a, b) =>
      timeOf(a.properties) - timeOf(b.properties) ||
      isLatest(a.properties) - isLatest(b.properties) ||
      (a.tag ?? Number.MAX_SAFE_INTEGER) - (b.tag ?? Number.MAX_SAFE_INTEGER) ||
      (a.properties.version ?? "").localeCompare(b.properties.version ?? ""),
  );
  let previous = 0;
  return keyed.map(({ properties, tag }) => {
    const number = tag !== undefined && tag > previous ? tag : previous + 1;
    previous = number;
    return { number, properties };
  });
}
