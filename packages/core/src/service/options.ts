import type { Accessor, AuditLog } from "../audit/types.js";
import type { ChainPolicy } from "../chain/fallback-chain.js";
import type { Hook, HookSource } from "../hooks/hook.js";
import type { NamingRule } from "../names/secret-name.js";
import type { PolicyEngine } from "../policy/policy.js";
import type { Provider } from "../provider/provider.js";
import type { LastKnownGood } from "../remote/last-known-good.js";
import type { DocumentStore } from "../store/document-store.js";

/** Options of {@link createCoffer}. */
export interface CofferOptions {
  /** Providers, each optionally with a priority (higher is read first). Order = priority when omitted. */
  providers: Array<Provider | { provider: Provider; priority: number }>;
  /** Provider that writes go to. @default the first writable provider in chain order */
  defaultProvider?: string;
  /** Who is calling. @default the OS user through `library` */
  accessor?: Accessor;
  /** Directory of the caller (project scope, config). @default process.cwd() */
  cwd?: string;
  /** Canonical project root. @default found from cwd */
  projectRoot?: string;
  /** Process environment (COFFER_ENV). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Naming rule. @default "default" */
  naming?: NamingRule;
  /** Default env of the project (config `env`). */
  projectEnv?: string;
  /** Git branch -> env map. */
  branchMap?: Record<string, string>;
  /** Default team id. */
  teamId?: string;
  /** Default org id. */
  orgId?: string;
  /** Plugin id: the id of `plugin` scope and a step of the read cascade (config `pluginId`). */
  pluginId?: string;
  /** Days a deleted secret stays recoverable. @default 7 */
  recoveryWindowDays?: number;
  /** Days a rotated-out version stays readable. @default 30 */
  rotationGraceDays?: number;
  /** Chain read policy. @default "fallthrough" */
  chainPolicy?: ChainPolicy;
  /**
   * Last-known-good copies of remote reads (the runtime keeps them encrypted in the local
   * store): an unreachable remote provider is answered from them with a stale warning.
   * @default none
   */
  lastKnownGood?: LastKnownGood;
  /** Never call remote providers; answer for them from `lastKnownGood` only (`--offline`). @default false */
  offline?: boolean;
  /** Audit log. @default the one of a provider that keeps it (the local store); `false` disables */
  audit?: AuditLog | false;
  /** Service documents (entanglement). @default the one of a provider that keeps it */
  documents?: DocumentStore;
  /** Hooks: a fixed list, or a source asked on each operation. */
  hooks?: Hook[] | HookSource;
  /** Access policy. @default allow all */
  policy?: PolicyEngine;
  /** Clock. @default real time */
  clock?: () => Date;
}
