import type { Accessor } from "../audit/types.js";
import {
  configError,
  expectKnownKeys,
  isMapping,
  optionalChoiceList,
  optionalWholeNumber,
} from "../config/config-checks.js";
import { ACCESSOR_KINDS, APPROVABLE_ACTIONS, type ApprovableAction } from "../policy/access-control-config.js";

/** Keys of the `approvals` section. */
export const APPROVALS_CONFIG_KEYS = [
  "requestTtlSeconds",
  "defaultGrantSeconds",
  "maxGrantSeconds",
  "tags",
  "kinds",
] as const;

/** The validated `approvals` section. */
export interface ApprovalsConfig {
  /** Seconds a pending request waits for a human before it expires. @default 3600 */
  requestTtlSeconds: number;
  /** Seconds an approval lasts when the approver does not say. @default 3600 */
  defaultGrantSeconds: number;
  /** Longest approval an approver may give, seconds. @default 86400 */
  maxGrantSeconds: number;
  /** Secrets carrying one of these tags need approval for the listed actions. @default {} */
  tags: Record<string, ApprovableAction[]>;
  /** Accessor kinds the tag requirements apply to. @default ["agent", "token"] */
  kinds: Array<Accessor["kind"]>;
}

/** The defaults of every `approvals` setting. */
export const DEFAULT_APPROVALS_CONFIG: ApprovalsConfig = Object.freeze({
  requestTtlSeconds: 3600,
  defaultGrantSeconds: 3600,
  maxGrantSeconds: 86400,
  tags: {},
  kinds: ["agent", "token"],
}) as ApprovalsConfig;

const WEEK = 7 * 86400;
const TAG = /^[A-Za-z0-9][A-Za-z0-9_.:/@-]{0,63}$/;

/**
 * Validate the `approvals` section of one config file.
 * @throws CofferError CONFIG naming the field and listing the valid keys or actions
 */
export function validateApprovalsConfig(raw: unknown, source: string): ApprovalsConfig | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isMapping(raw)) throw configError(source, "approvals", "must be a mapping");
  expectKnownKeys(raw, APPROVALS_CONFIG_KEYS, source, "approvals");
  const d = DEFAULT_APPROVALS_CONFIG;
  const requestTtlSeconds = optionalWholeNumber(
    raw.requestTtlSeconds,
    source,
    "approvals.requestTtlSeconds",
    d.requestTtlSeconds,
    60,
    WEEK,
  );
  const maxGrantSeconds = optionalWholeNumber(
    raw.maxGrantSeconds,
    source,
    "approvals.maxGrantSeconds",
    d.maxGrantSeconds,
    60,
    30 * 86400,
  );
  const defaultGrantSeconds = optionalWholeNumber(
    raw.defaultGrantSeconds,
    source,
    "approvals.defaultGrantSeconds",
    Math.min(d.defaultGrantSeconds, maxGrantSeconds),
    60,
    maxGrantSeconds,
  );
  const tags: Record<string, ApprovableAction[]> = {};
  if (raw.tags !== undefined) {
    if (!isMapping(raw.tags))
      throw configError(
        source,
        "approvals.tags",
        "must map a tag to the actions needing approval, e.g. { production: [reveal, exec] }",
      );
    for (const [tag, actions] of Object.entries(raw.tags)) {
      if (!TAG.test(tag)) throw configError(source, `approvals.tags.${tag.slice(0, 64)}`, "is not a valid tag");
      const list = optionalChoiceList(
        actions,
        APPROVABLE_ACTIONS,
        source,
        `approvals.tags.${tag}`,
        "approvable action",
      );
      if (!list || list.length === 0)
        throw configError(source, `approvals.tags.${tag}`, `must list actions: ${APPROVABLE_ACTIONS.join(", ")}`);
      tags[tag] = list;
    }
  }
  const kinds = optionalChoiceList(raw.kinds, ACCESSOR_KINDS, source, "approvals.kinds", "kind") ?? [...d.kinds];
  return { requestTtlSeconds, defaultGrantSeconds, maxGrantSeconds, tags, kinds };
}

/**
 * Combine the `approvals` sections of several layers: the shortest durations win (a project may
 * shorten, never lengthen), tag requirements add up, kinds are the union.
 */
export function mergeApprovalsConfigs(configs: Array<ApprovalsConfig | undefined>): ApprovalsConfig {
  const present = configs.filter((c): c is ApprovalsConfig => c !== undefined);
  if (present.length === 0)
    return { ...DEFAULT_APPROVALS_CONFIG, tags: {}, kinds: [...DEFAULT_APPROVALS_CONFIG.kinds] };
  const tags: Record<string, ApprovableAction[]> = {};
  for (const c of present) {
    for (const [tag, actions] of Object.entries(c.tags)) tags[tag] = [...new Set([...(tags[tag] ?? []), ...actions])];
  }
  const maxGrantSeconds = Math.min(...present.map((c) => c.maxGrantSeconds));
  return {
    requestTtlSeconds: Math.min(...present.map((c) => c.requestTtlSeconds)),
    maxGrantSeconds,
    defaultGrantSeconds: Math.min(maxGrantSeconds, ...present.map((c) => c.defaultGrantSeconds)),
    tags,
    kinds: [...new Set(present.flatMap((c) => c.kinds))],
  };
}
