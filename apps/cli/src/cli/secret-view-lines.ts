import type { DecayInfo, SecretView } from "@coffer/core";
import { formatSpan } from "./format-span.js";
import type { Style } from "./style.js";

/** Tags for display: `a, b`, or `-`. */
export function tagsText(tags: readonly string[] | undefined): string {
  return tags && tags.length > 0 ? tags.join(", ") : "-";
}

/** Short freshness label for tables: `stale`, `expired`, `hard-expired`, or empty. */
export function decayLabel(decay: DecayInfo): string {
  switch (decay.state) {
    case "stale":
      return "stale";
    case "expired":
      return "expired (TTL)";
    case "hard-expired":
      return "expired";
    default:
      return decay.expiresAt ? `expires ${decay.expiresAt.slice(0, 10)}` : "";
  }
}

/** A warning line about staleness or expiry, or undefined when fresh. */
export function decayNote(name: string, decay: DecayInfo, style: Style): string | undefined {
  const remaining = decay.secondsRemaining;
  switch (decay.state) {
    case "stale": {
      const used = decay.fractionUsed === undefined ? "" : ` (${Math.round(decay.fractionUsed * 100)}% of its TTL used`;
      const left = remaining === undefined ? "" : `, ${formatSpan(remaining)} left`;
      return `${style.yellow("⚠ Stale:")} '${name}' is near the end of its TTL${used}${used ? left : ""}${used ? ")" : ""}; rotate it soon: coffer rotate ${name}`;
    }
    case "expired":
      return `${style.yellow("⚠ Expired:")} '${name}' is past its TTL${decay.ttlExpiresAt ? ` (${decay.ttlExpiresAt})` : ""} but still readable; rotate it: coffer rotate ${name}`;
    case "hard-expired":
      return `${style.red("✗ Expired:")} '${name}' expired at ${decay.expiresAt ?? "an earlier time"}`;
    default:
      return undefined;
  }
}

/**
 * The block `coffer get` prints: Secret, Provider, Version, Value, Created, Updated, Scope,
 * Tags (plus Env, Description, Expires when set), then a stale/expired note.
 */
export function secretBlock(view: SecretView, shownValue: string, style: Style): string[] {
  const lines = [
    `Secret: ${view.name}`,
    `Provider: ${view.provider}`,
    `Version: ${view.version}`,
    `Value: ${shownValue}`,
    `Created: ${view.createdAt}`,
    `Updated: ${view.updatedAt}`,
    `Scope: ${view.scopeLabel}`,
    `Tags: ${tagsText(view.tags)}`,
  ];
  if (view.env !== undefined) lines.push(`Env: ${view.env}`);
  if (view.description) lines.push(`Description: ${view.description}`);
  if (view.expiresAt) lines.push(`Expires: ${view.expiresAt}`);
  if (view.writeOnly) lines.push("Write-only: yes (the value is injected by coffer run, never printed)");
  const note = decayNote(view.name, view.decay, style);
  if (note) lines.push("", note);
  return lines;
}
