import type { Accessor, AuditLog } from "../audit/types.js";
import { CofferError } from "../errors/index.js";
import { describeAccessor } from "../policy/access-layer.js";
import type { GovernedPolicyRequest } from "../policy/governed-policy-request.js";
import type { PolicyEngine } from "../policy/policy.js";
import type { DocumentStore } from "../store/document-store.js";
import { HOOK_EVENTS, type HookEvent, type HookPayload } from "./hook.js";
import {
  asArgumentError,
  type HookDefinition,
  validateHookDefinition,
  webhookSecretReference,
} from "./hook-definition.js";
import { type HookBuildContext, hookFromDefinition } from "./hook-from-definition.js";

/** Documents collection of hooks registered at run time, keyed by hook id. */
export const HOOKS_COLLECTION = "hooks";
/** Documents collection and key of the registry's change counter (read by hook sources). */
export const HOOKS_VERSION_DOCUMENT = { collection: "hooks-meta", key: "version" } as const;

/** A hook as stored in the registry. */
export interface RegisteredHookDefinition {
  /** The definition. */
  definition: HookDefinition;
  /** When it was registered, ISO 8601. */
  createdAt: string;
  /** Who registered it. */
  createdBy: string;
}

/** A hook as listed: where it comes from and what it does, never its signing secret. */
export interface HookListing {
  /** Id. */
  id: string;
  /** `config` (config.yaml / coffer.yaml) or `registry` (registered at run time). */
  source: "config" | "registry";
  /** Kind. */
  type: HookDefinition["type"];
  /** Phase. */
  phase: "before" | "after";
  /** Events matched (all when absent). */
  events?: HookEvent[];
  /** Name globs (all when absent). */
  names?: string[];
  /** Tags (any when absent). */
  tags?: string[];
  /** Scope filters (any when absent). */
  scopes?: string[];
  /** What runs: the program and argument count, or the webhook's origin. */
  target: string;
  /** Signing secret: `${secret:NAME}` for a reference, `(set)` for a literal. Webhooks only. */
  secret?: string;
  /** Timeout, seconds. */
  timeoutSeconds: number;
  /** Description. */
  description?: string;
  /** Registered at (registry only). */
  createdAt?: string;
  /** Registered by (registry only). */
  createdBy?: string;
}

/** Outcome of {@link HookRegistry.test}. */
export interface HookTestResult {
  /** Hook id. */
  hook: string;
  /** True when it ran without error (and, for a before-hook, without veto). */
  ok: boolean;
  /** A before-hook's veto reason. */
  veto?: string;
  /** Error message of a failure. */
  message?: string;
  /** How long it took, ms. */
  durationMs: number;
}

/** Options of {@link HookRegistry.add} and {@link HookRegistry.remove}. */
export interface HookChangeOptions {
  /** Who registers: a person (kind `user`); agents and tokens are refused. */
  by: Accessor;
  /** Replace a registered hook with the same id. @default false */
  replace?: boolean;
}

/** Hooks registered at run time (front ends' `hooks add/list/remove/test`). */
export interface HookRegistry {
  /** Validate and register a hook. @throws CofferError INVALID_ARGUMENT, ALREADY_EXISTS, PERMISSION_DENIED */
  add(definition: unknown, options: HookChangeOptions): Promise<HookListing>;
  /** Config hooks then registered hooks. */
  list(): Promise<HookListing[]>;
  /** Remove a registered hook. @throws CofferError NOT_FOUND, INVALID_ARGUMENT (a config hook), PERMISSION_DENIED */
  remove(id: string, options: HookChangeOptions): Promise<void>;
  /** Run one hook once with a sample payload (name `coffer-hook-test`, never a value). @throws CofferError NOT_FOUND */
  test(id: string, options?: { by?: Accessor; event?: HookEvent }): Promise<HookTestResult>;
}

/** Options of {@link hookRegistry}. */
export interface HookRegistryOptions {
  /** Validated hooks from config (listed and testable, never removable here). @default [] */
  configHooks?: HookDefinition[];
  /** What hooks need to run (base dir, secret resolver). */
  context?: HookBuildContext;
  /** Audit log for registrations and removals. @default none */
  audit?: AuditLog;
  /** Policy asked whether the person may change hooks (`admin` on resource `hooks`). @default none */
  policy?: PolicyEngine;
  /** Time source. @default () => new Date() */
  clock?: () => Date;
}

/** The listing of a definition (never the signing secret). */
export function hookListing(
  def: HookDefinition,
  source: "config" | "registry",
  meta?: { createdAt: string; createdBy: string },
): HookListing {
  const target =
    def.type === "shell"
      ? `${def.command[0]}${def.command.length > 1 ? ` (+${def.command.length - 1} args)` : ""}`
      : new URL(def.url).origin;
  return {
    id: def.id,
    source,
    type: def.type,
    phase: def.phase,
    ...(def.events ? { events: def.events } : {}),
    ...(def.names ? { names: def.names } : {}),
    ...(def.tags ? { tags: def.tags } : {}),
    ...(def.scopes ? { scopes: def.scopes } : {}),
    target,
    ...(def.type === "webhook"
      ? { secret: webhookSecretReference(def.secret) !== undefined ? def.secret : "(set)" }
      : {}),
    timeoutSeconds: def.timeoutSeconds,
    ...(def.description ? { description: def.description } : {}),
    ...(meta ?? {}),
  };
}

/**
 * The run-time hook registry, kept in the service documents (collection `hooks`). Every change
 * bumps a counter document so hook sources in this and other processes pick it up. Only people
 * (accessors of kind `user`) may add or remove hooks: a hook runs programs or contacts servers
 * with the user's privileges. Changes are audited (action `hook`).
 */
export function hookRegistry(documents: DocumentStore, options: HookRegistryOptions = {}): HookRegistry {
  const clock = options.clock ?? (() => new Date());
  const configHooks = options.configHooks ?? [];

  async function authorizeChange(by: Accessor | undefined, what: string): Promise<Accessor> {
    if (!by || typeof by.id !== "string" || by.kind !== "user") {
      throw new CofferError(
        "PERMISSION_DENIED",
        `only a person at the CLI may ${what} hooks (they run programs and contact servers with your privileges); ${by ? describeAccessor(by) : "an unknown accessor"} may not`,
        {
          rule: "hooks:human-only",
        },
      );
    }
    if (options.policy) {
      const d = await options.policy.check({
        accessor: by,
        action: "admin",
        resource: "hooks",
      } as GovernedPolicyRequest);
      if (!d.allowed)
        throw new CofferError(
          "PERMISSION_DENIED",
          `${describeAccessor(by)} may not ${what} hooks: ${d.reason ?? "policy denies admin on hooks"}`,
          { rule: d.rule },
        );
    }
    return by;
  }

  async function bump(): Promise<void> {
    await documents.update<{ version: number }>(HOOKS_VERSION_DOCUMENT.collection, HOOKS_VERSION_DOCUMENT.key, (v) => ({
      version: (v?.version ?? 0) + 1,
    }));
  }

  async function audited(
    by: Accessor,
    id: string,
    details: Record<string, unknown>,
    undo: () => Promise<void>,
  ): Promise<void> {
    if (!options.audit) return;
    try {
      await options.audit.append({
        time: clock().toISOString(),
        accessor: by.id,
        frontEnd: by.frontEnd,
        action: "hook",
        success: true,
        details: { hook: id, ...details },
      });
    } catch (err) {
      await undo();
      throw new CofferError(
        "UNAVAILABLE",
        `the hook change could not be audited, so it was undone`,
        { hook: id },
        { cause: err },
      );
    }
  }

  async function find(id: string): Promise<{ def: HookDefinition; source: "config" | "registry" }> {
    const fromConfig = configHooks.find((h) => h.id === id);
    if (fromConfig) return { def: fromConfig, source: "config" };
    if (typeof id !== "string" || id.length === 0 || id.length > 64)
      throw new CofferError("INVALID_ARGUMENT", "hook id is required", { field: "id" });
    const stored = await documents.get<RegisteredHookDefinition>(HOOKS_COLLECTION, id);
    if (!stored) throw new CofferError("NOT_FOUND", `hook ${JSON.stringify(id)} not found`, { id });
    return { def: validateHookDefinition(stored.definition, "hook registry", id), source: "registry" };
  }

  return {
    async add(definition: unknown, opts: HookChangeOptions): Promise<HookListing> {
      const by = await authorizeChange(opts?.by, "register");
      let def: HookDefinition;
      try {
        def = validateHookDefinition(definition, "hook", "definition");
      } catch (err) {
        throw asArgumentError(err);
      }
      if (configHooks.some((h) => h.id === def.id)) {
        throw new CofferError(
          "ALREADY_EXISTS",
          `hook id ${JSON.stringify(def.id)} is used by a hook in config; choose another id`,
          { field: "id" },
        );
      }
      const record: RegisteredHookDefinition = { definition: def, createdAt: clock().toISOString(), createdBy: by.id };
      let previous: RegisteredHookDefinition | undefined;
      await documents.update<RegisteredHookDefinition>(HOOKS_COLLECTION, def.id, (current) => {
        if (current && !opts.replace) {
          throw new CofferError(
            "ALREADY_EXISTS",
            `hook ${JSON.stringify(def.id)} is already registered (pass replace to overwrite it)`,
            { field: "id" },
          );
        }
        previous = current;
        return record;
      });
      await bump();
      await audited(
        by,
        def.id,
        { registered: def.type, phase: def.phase, ...(previous ? { replaced: true } : {}) },
        async () => {
          if (previous) await documents.put(HOOKS_COLLECTION, def.id, previous);
          else await documents.delete(HOOKS_COLLECTION, def.id);
          await bump();
        },
      );
      return hookListing(def, "registry", { createdAt: record.createdAt, createdBy: record.createdBy });
    },

    async list(): Promise<HookListing[]> {
      const rows = await documents.list<RegisteredHookDefinition>(HOOKS_COLLECTION);
      const registered = rows.map((row) => {
        try {
          return hookListing(validateHookDefinition(row.value.definition, "hook registry", row.key), "registry", {
            createdAt: row.value.createdAt,
            createdBy: row.value.createdBy,
          });
        } catch (err) {
          return {
            id: row.key,
            source: "registry" as const,
            type: "shell" as const,
            phase: "before" as const,
            target: `(invalid: ${(err as Error).message})`,
            timeoutSeconds: 0,
          };
        }
      });
      return [...configHooks.map((d) => hookListing(d, "config")), ...registered];
    },

    async remove(id: string, opts: HookChangeOptions): Promise<void> {
      const by = await authorizeChange(opts?.by, "remove");
      if (configHooks.some((h) => h.id === id)) {
        throw new CofferError(
          "INVALID_ARGUMENT",
          `hook ${JSON.stringify(id)} is defined in config; remove it from the config file`,
          { field: "id" },
        );
      }
      const previous = await documents.get<RegisteredHookDefinition>(HOOKS_COLLECTION, id);
      if (!previous || !(await documents.delete(HOOKS_COLLECTION, id)))
        throw new CofferError("NOT_FOUND", `hook ${JSON.stringify(id)} not found`, { id });
      await bump();
      await audited(by, id, { removed: true }, async () => {
        await documents.put(HOOKS_COLLECTION, id, previous);
        await bump();
      });
    },

    async test(id: string, opts: { by?: Accessor; event?: HookEvent } = {}): Promise<HookTestResult> {
      const { def } = await find(id);
      const event = opts.event ?? def.events?.[0] ?? "write";
      if (!(HOOK_EVENTS as readonly string[]).includes(event))
        throw new CofferError("INVALID_ARGUMENT", `event must be one of: ${HOOK_EVENTS.join(", ")}`, {
          field: "event",
        });
      const payload: HookPayload = {
        event,
        phase: def.phase,
        name: "coffer-hook-test",
        scope: "global",
        version: 1,
        accessor: opts.by?.id ?? "coffer",
        frontEnd: opts.by?.frontEnd ?? "library",
        time: clock().toISOString(),
      };
      const started = performance.now();
      try {
        const result = await hookFromDefinition(def, options.context).run(payload);
        const durationMs = Math.round(performance.now() - started);
        if (result && typeof result === "object" && "veto" in result)
          return { hook: id, ok: false, veto: result.veto, durationMs };
        return { hook: id, ok: true, durationMs };
      } catch (err) {
        return {
          hook: id,
          ok: false,
          message: err instanceof CofferError ? err.message : "hook failed",
          durationMs: Math.round(performance.now() - started),
        };
      }
    },
  };
}
