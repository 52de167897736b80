import { isAbsolute, resolve } from "node:path";
import { CofferError, HOOK_EVENTS, type HookEvent, type HookListing, type HookRegistry } from "@coffer/core";
import { explainAgentSession, governingAccessor } from "../cli/approver-accessor.js";
import type { CommandContext } from "../cli/command-context.js";
import type { CommandHandler } from "../cli/command-spec.js";
import { splitCommandWords } from "../cli/command-words.js";
import { booleanFlag, integerFlag, listFlag, stringFlag } from "../cli/flag-values.js";
import { renderTable } from "../cli/table.js";

async function registry(ctx: CommandContext): Promise<HookRegistry> {
  const session = await ctx.session();
  if (!session.hooks) {
    throw new CofferError("UNSUPPORTED", "registered hooks live in the local store, which is not configured", {
      hint: "enable the local provider in coffer.yaml, or define hooks in coffer.yaml",
    });
  }
  return session.hooks;
}

function eventsFlag(list: string[] | undefined, flag: string): HookEvent[] | undefined {
  if (list === undefined) return undefined;
  for (const e of list) {
    if (!(HOOK_EVENTS as readonly string[]).includes(e)) {
      throw new CofferError("INVALID_ARGUMENT", `${flag} takes events from: ${HOOK_EVENTS.join(", ")}`, {
        field: flag.replace(/^-+/, ""),
      });
    }
  }
  return list as HookEvent[];
}

/** The program of a shell hook: a relative path with a slash is made absolute (hooks run from any project). */
function anchoredCommand(words: string[], cwd: string): string[] {
  const program = words[0]!;
  if (program.includes("/") && !isAbsolute(program)) return [resolve(cwd, program), ...words.slice(1)];
  return words;
}

/** The webhook signing secret: from an environment variable, or a reference to a Coffer secret. */
function webhookSecret(ctx: CommandContext, envName: string | undefined, secretName: string | undefined): string {
  if (envName !== undefined && secretName !== undefined) {
    throw new CofferError("INVALID_ARGUMENT", "give the signing secret one way: --secret-env or --secret-name", {
      field: "secret-env",
    });
  }
  if (secretName !== undefined) return `\${secret:${secretName}}`;
  if (envName === undefined) {
    throw new CofferError("INVALID_ARGUMENT", "a webhook needs a signing secret", {
      field: "secret-env",
      hint: "--secret-env VAR (the secret is read from $VAR) or --secret-name NAME (a Coffer secret)",
    });
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(envName)) {
    throw new CofferError("INVALID_ARGUMENT", "--secret-env takes an environment variable name", {
      field: "secret-env",
    });
  }
  const value = ctx.env[envName];
  if (value === undefined || value === "") {
    throw new CofferError("INVALID_ARGUMENT", `environment variable ${envName} (--secret-env) is not set`, {
      field: "secret-env",
    });
  }
  return value;
}

/**
 * `coffer hook add --id ID --event E --match GLOB (--command CMD | --url URL --secret-env VAR)`:
 * register a hook in the local store.
 */
export const hookAddCommand: CommandHandler = async (ctx, args) => {
  const id = stringFlag(args, "id");
  if (id === undefined) throw new CofferError("INVALID_ARGUMENT", "--id is required", { field: "id" });
  const command = stringFlag(args, "command");
  const url = stringFlag(args, "url");
  if ((command === undefined) === (url === undefined)) {
    throw new CofferError("INVALID_ARGUMENT", "give exactly one of --command (a program to run) or --url (a webhook)", {
      field: "command",
    });
  }
  const secretEnv = stringFlag(args, "secret-env");
  const secretName = stringFlag(args, "secret-name");
  if (command !== undefined && (secretEnv !== undefined || secretName !== undefined)) {
    throw new CofferError("INVALID_ARGUMENT", "--secret-env and --secret-name are for webhooks (--url)", {
      field: "secret-env",
    });
  }
  if (command !== undefined && booleanFlag(args, "allow-private-network")) {
    throw new CofferError("INVALID_ARGUMENT", "--allow-private-network is for webhooks (--url)", {
      field: "allow-private-network",
    });
  }
  const events = eventsFlag(listFlag(args, "event"), "--event");
  const names = listFlag(args, "match");
  const tags = listFlag(args, "tags");
  const scopes = listFlag(args, "scope");
  const timeout = integerFlag(args, "timeout", "hookTimeoutSeconds");
  const description = stringFlag(args, "description");
  const definition: Record<string, unknown> = {
    id,
    type: command !== undefined ? "shell" : "webhook",
    phase: booleanFlag(args, "before") ? "before" : "after",
    ...(events ? { events } : {}),
    ...(names ? { names } : {}),
    ...(tags ? { tags } : {}),
    ...(scopes ? { scopes } : {}),
    ...(timeout !== undefined ? { timeoutSeconds: timeout } : {}),
    ...(description !== undefined ? { description } : {}),
    ...(command !== undefined
      ? { command: anchoredCommand(splitCommandWords(command, "--command"), ctx.cwd) }
      : {
          url,
          secret: webhookSecret(ctx, secretEnv, secretName),
          ...(booleanFlag(args, "allow-private-network") ? { allowPrivateNetwork: true } : {}),
        }),
  };
  const hooks = await registry(ctx);
  const by = governingAccessor(ctx.env, (await ctx.coffer()).accessor);
  const listing = await hooks.add(definition, { by, replace: booleanFlag(args, "replace") }).catch((err: unknown) => {
    throw explainAgentSession(err, ctx.env);
  });
  return {
    data: listing,
    lines: [`${ctx.style.green("✓")} Hook '${listing.id}' registered`, ...describeHook(listing)],
  };
};

function describeHook(h: HookListing): string[] {
  return [
    `  Type: ${h.type} (${h.phase}${h.phase === "before" ? ": may veto" : ""})`,
    `  Runs: ${h.target}`,
    `  Events: ${h.events?.join(", ") ?? "all"}`,
    `  Secrets: ${h.names?.join(", ") ?? "*"}${h.tags ? `; tags ${h.tags.join(", ")}` : ""}${h.scopes ? `; scopes ${h.scopes.join(", ")}` : ""}`,
    ...(h.secret !== undefined ? [`  Signing secret: ${h.secret}`] : []),
    `  Timeout: ${h.timeoutSeconds}s`,
  ];
}

/** `coffer hook list`: configured hooks, then registered ones (never a signing secret). */
export const hookListCommand: CommandHandler = async (ctx) => {
  const list = await (await registry(ctx)).list();
  const rows = list.map((h) => [
    h.id,
    h.source,
    h.type,
    h.phase,
    h.events?.join(",") ?? "all",
    [
      h.names?.join(",") ?? "*",
      ...(h.tags ? [`tags:${h.tags.join(",")}`] : []),
      ...(h.scopes ? [`scopes:${h.scopes.join(",")}`] : []),
    ].join(" "),
    h.target,
  ]);
  return {
    data: { hooks: list },
    lines: [
      `Hooks (${list.length}):`,
      "",
      ...(rows.length > 0
        ? renderTable(["Id", "Source", "Type", "Phase", "Events", "Matches", "Runs"], rows, ctx.terminal.width)
        : ["No hooks. Add one with: coffer hook add --id ID --event write --command './notify.sh'"]),
    ],
  };
};

/** `coffer hook remove <id>`: remove a registered hook (config hooks are edited in their file). */
export const hookRemoveCommand: CommandHandler = async (ctx, args) => {
  const id = args.positionals[0]!;
  const hooks = await registry(ctx);
  const by = governingAccessor(ctx.env, (await ctx.coffer()).accessor);
  await hooks.remove(id, { by }).catch((err: unknown) => {
    throw explainAgentSession(err, ctx.env);
  });
  return { data: { removed: id }, lines: [`${ctx.style.green("✓")} Hook '${id}' removed`] };
};

/** `coffer hook test <id> [--event E]`: run the hook once with a sample payload and report the outcome. */
export const hookTestCommand: CommandHandler = async (ctx, args) => {
  const id = args.positionals[0]!;
  const event = eventsFlag(listFlag(args, "event"), "--event");
  if (event && event.length !== 1) {
    throw new CofferError("INVALID_ARGUMENT", "--event takes one event for a test", { field: "event" });
  }
  const hooks = await registry(ctx);
  const result = await hooks.test(id, { by: (await ctx.coffer()).accessor, ...(event ? { event: event[0]! } : {}) });
  const { style } = ctx;
  const line = result.ok
    ? `${style.green("✓")} Hook '${id}' ran successfully (${result.durationMs} ms)`
    : result.veto !== undefined
      ? `${style.red("✗")} Hook '${id}' vetoed (${result.durationMs} ms): ${result.veto}`
      : `${style.red("✗")} Hook '${id}' failed (${result.durationMs} ms): ${result.message ?? "no message"}`;
  return {
    data: result,
    lines: [line, `  Payload: secret 'coffer-hook-test', no value`],
    exitCode: result.ok ? 0 : 1,
  };
};
