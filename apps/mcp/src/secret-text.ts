import type { DecayInfo, HookReport, SecretView } from "@coffer/core";

/** `[global] KEY`, with ` (env: prod)` when the state is an env state. */
export function secretHeading(name: string, scopeLabel: string, env?: string): string {
  return `[${scopeLabel}] ${name}${env ? ` (env: ${env})` : ""}`;
}

/** Freshness in words, empty for secrets without TTL or expiry. */
export function decayText(decay: DecayInfo): string {
  switch (decay.state) {
    case "none":
      return "";
    case "fresh":
      return decay.ttlExpiresAt
        ? `fresh until ${decay.ttlExpiresAt}`
        : decay.expiresAt
          ? `expires ${decay.expiresAt}`
          : "fresh";
    case "stale":
      return `stale (TTL ends ${decay.ttlExpiresAt ?? "soon"})`;
    case "expired":
      return "expired (TTL passed; still readable, has_secret is false)";
    case "hard-expired":
      return `hard-expired at ${decay.expiresAt ?? "?"}`;
  }
}

/** One line of metadata about a state: version, provider, encoding, tags, freshness. */
export function viewSummary(view: SecretView): string {
  const parts = [`v${view.version}`, `provider ${view.provider}`];
  if (view.encoding === "base64") parts.push("base64");
  if (view.writeOnly) parts.push("write-only");
  if (view.tags && view.tags.length > 0) parts.push(`tags ${view.tags.join(",")}`);
  const decay = decayText(view.decay);
  if (decay) parts.push(decay);
  if (view.deletedAt) parts.push(`deleted ${view.deletedAt}${view.purgeAt ? `, purged after ${view.purgeAt}` : ""}`);
  return parts.join(" | ");
}

/** Lines reporting entangled secrets updated and after-hooks that failed (empty when neither). */
export function sideEffectLines(entangled: string[], hooks: HookReport[]): string[] {
  const lines: string[] = [];
  if (entangled.length > 0) lines.push(`also updated (entangled): ${entangled.join(", ")}`);
  for (const hook of hooks)
    if (!hook.ok) lines.push(`hook ${hook.hook} failed${hook.message ? `: ${hook.message}` : ""}`);
  return lines;
}

/** Join a first line with optional extra lines. */
export function withLines(first: string, extra: string[]): string {
  return extra.length === 0 ? first : [first, ...extra].join("\n");
}
