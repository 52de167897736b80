import type { FrontEnd } from "../audit/types.js";

/** Events hooks can subscribe to. */
export const HOOK_EVENTS = ["write", "delete", "rotate", "expire", "read"] as const;
/** One hook event. */
export type HookEvent = (typeof HOOK_EVENTS)[number];

/** What a hook receives. Never carries the value. */
export interface HookPayload {
  /** The event. */
  event: HookEvent;
  /** `before` hooks may veto; `after` hooks observe. */
  phase: "before" | "after";
  /** Secret name. */
  name: string;
  /** Scope label (`global`, `project`, `team:acme`...). */
  scope: string;
  /** Env state, when the event concerns one. */
  env?: string;
  /** Version written or concerned. */
  version?: number;
  /** Provider concerned. */
  provider?: string;
  /** Tags of the secret. */
  tags?: string[];
  /** Who triggered it. */
  accessor: string;
  /** Through which front end. */
  frontEnd: FrontEnd;
  /** When, ISO 8601. */
  time: string;
}

/** What a before-hook may return to stop the operation. */
export interface HookVeto {
  /** Human reason, shown to the caller and audited. */
  veto: string;
}

/** Which events and secrets a hook applies to. */
export interface HookMatch {
  /** Events; all when omitted. */
  events?: HookEvent[];
  /** Name globs (`api-*`); all when omitted. */
  names?: string[];
  /** Any of these tags; all when omitted. */
  tags?: string[];
  /** Scope kinds; all when omitted. */
  scopes?: string[];
}

/**
 * A hook: runs before or after matching operations. A before-hook may veto by returning
 * `{ veto: reason }`; an after-hook's failure is reported and audited, and never undoes the write.
 */
export interface Hook {
  /** Stable id. */
  id: string;
  /** `before` or `after`. */
  phase: "before" | "after";
  /** What it matches. */
  match: HookMatch;
  /** Run the hook. */
  // biome-ignore lint/suspicious/noConfusingVoidType: a hook that returns nothing lets the operation proceed
  run(payload: HookPayload): Promise<void | HookVeto>;
}

/** Outcome of an after-hook, reported with the operation's result. */
export interface HookReport {
  /** Hook id. */
  hook: string;
  /** True when it ran without error. */
  ok: boolean;
  /** Error message (never a value). */
  message?: string;
}

/** Where the service gets its hooks on each operation (hooks registered at run time included). */
export interface HookSource {
  /** The hooks in force now. */
  hooks(): Promise<Hook[]> | Hook[];
}
