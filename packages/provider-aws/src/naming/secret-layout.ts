import { CofferError, quoteName, type ScopeRef, type SecretAddress, type SecretRef } from "@coffer/core";
import {
  AWS_SECRET_NAME_MAX,
  awsBaseName,
  awsSecretName,
  COFFER_NAME_FOR_AWS,
  type ParsedAwsSecretName,
  parseAwsSecretName,
  scopeNamePrefix,
} from "./aws-secret-name.js";

/**
 * How Coffer addresses map to AWS secret names (see docs/providers/aws.md, "Layouts"):
 *
 * - `scoped` (default): `<prefix><scope segment>/<name>[@<env>]`, every scope and env state.
 * - `flat`: `<prefix><name>`, the AWS secrets other tools made, as they are. Only the global
 *   scope's default state exists there: `coffer get prod/db/password` reads the AWS secret
 *   `<prefix>prod/db/password`, and what Coffer writes is a plain secret of that name. Reads of
 *   another scope or an env state find nothing; writes to them are refused (UNSUPPORTED).
 */
export type AwsLayout = "scoped" | "flat";

/** Every layout, for option checks and messages. */
export const AWS_LAYOUTS: readonly AwsLayout[] = ["scoped", "flat"];

/** What a mapping needs: the prefix, the layout, and the provider's name for messages. */
export interface AwsNaming {
  /** Prefix of every AWS secret name (ends with `/` unless empty). */
  prefix: string;
  /** Layout in force. */
  layout: AwsLayout;
  /** Provider instance name. */
  name: string;
}

/** True when the layout can hold this state (the flat layout: global default states only). */
export function layoutHolds(naming: AwsNaming, address: { scope: ScopeRef; env?: string | undefined }): boolean {
  return naming.layout === "scoped" || (address.scope.kind === "global" && address.env === undefined);
}

function flatName(naming: AwsNaming, ref: { name: string; scope: ScopeRef; env?: string | undefined }): string {
  if (!layoutHolds(naming, ref)) {
    const what = ref.scope.kind === "global" ? `env state ${quoteName(ref.env ?? "")}` : `scope ${ref.scope.kind}`;
    throw new CofferError(
      "UNSUPPORTED",
      `${naming.name} uses the flat layout, which holds only global secrets without env states: secret ${quoteName(ref.name)} cannot be stored in ${what} there`,
      {
        name: ref.name,
        provider: naming.name,
        rule: "layout: flat",
        hint: "write it to the global scope without an env, or to a provider with layout: scoped",
      },
    );
  }
  if (typeof ref.name !== "string" || !COFFER_NAME_FOR_AWS.test(ref.name)) {
    // The scoped mapping's name check gives the same coded error for both layouts.
    awsBaseName(naming.prefix, { name: ref.name, scope: { kind: "global" } });
  }
  const awsName = `${naming.prefix}${ref.name}`;
  if (awsName.length > AWS_SECRET_NAME_MAX) {
    throw new CofferError(
      "INVALID_ARGUMENT",
      `secret name ${quoteName(ref.name)} is too long for AWS Secrets Manager: it maps to ${awsName.length} characters (at most ${AWS_SECRET_NAME_MAX})`,
      { field: "name", rule: `AWS secret names hold at most ${AWS_SECRET_NAME_MAX} characters` },
    );
  }
  return awsName;
}

/**
 * AWS name of one state under the layout.
 * @throws CofferError INVALID_ARGUMENT (name or env AWS cannot hold), UNSUPPORTED (flat layout: a scope or env state)
 */
export function stateAwsName(naming: AwsNaming, address: SecretAddress): string {
  return naming.layout === "flat" ? flatName(naming, address) : awsSecretName(naming.prefix, address);
}

/**
 * AWS name of the default state of a secret under the layout.
 * @throws CofferError INVALID_ARGUMENT, UNSUPPORTED as {@link stateAwsName}
 */
export function baseAwsName(naming: AwsNaming, ref: SecretRef): string {
  return naming.layout === "flat" ? flatName(naming, ref) : awsBaseName(naming.prefix, ref);
}

/** AWS name prefix of every secret of a scope under the layout (the prefix itself when flat). */
export function scopeAwsPrefix(naming: AwsNaming, scope: ScopeRef): string {
  return naming.layout === "flat" ? naming.prefix : scopeNamePrefix(naming.prefix, scope);
}

/**
 * Split an AWS secret name under the layout; undefined when it holds no Coffer state (other
 * prefixes, names Coffer cannot address). In the flat layout every name under the prefix that
 * is a Coffer name is a global default state.
 */
export function parseLayoutName(naming: AwsNaming, awsName: string): ParsedAwsSecretName | undefined {
  if (naming.layout === "scoped") return parseAwsSecretName(naming.prefix, awsName);
  if (!awsName.startsWith(naming.prefix)) return undefined;
  const name = awsName.slice(naming.prefix.length);
  return COFFER_NAME_FOR_AWS.test(name) ? { name, kind: "global" } : undefined;
}
