import { type Coffer, CofferError, type ScopeInput, validateSecretName } from "@coffer/core";
import type { CommandContext } from "../cli/command-context.js";
import type { CommandHandler, ParsedArguments } from "../cli/command-spec.js";
import { booleanFlag, defined, scopeFlag, stringFlag } from "../cli/flag-values.js";

/** Read order of scope kinds (most specific first), as the service cascades. */
const SCOPE_ORDER = ["agent", "plugin", "user", "project", "team", "org", "global"];

/**
 * Providers a delete will touch, for the warning: those listing the secret in the most
 * specific scope that has it (read-only providers excluded).
 */
export async function deletionTargets(
  coffer: Coffer,
  name: string,
  provider: string | undefined,
  scope: ScopeInput,
  includeDeleted = false,
): Promise<{ providers: string[]; scope?: string; incomplete: boolean; deleted?: boolean }> {
  const kinds = new Map(coffer.providers().map((p) => [p.name, p.kind]));
  const listAll = (withDeleted: boolean) =>
    coffer.list(
      defined({
        pattern: name,
        provider: provider === "all" ? undefined : provider,
        includeExpired: true,
        includeDeleted: withDeleted || undefined,
        scope: scope.scope,
        limit: 1000,
      }),
    );
  const listing = await listAll(includeDeleted);
  const hits = listing.items.filter((i) => i.name === name && kinds.get(i.provider) !== "env");
  const incomplete = listing.errors.length > 0;
  if (hits.length === 0) {
    // Say so when the name is only held deleted: the hint then names restore and --purge.
    const deleted = !includeDeleted && (await listAll(true)).items.some((i) => i.name === name && i.deletedAt);
    return { providers: [], incomplete, ...(deleted ? { deleted } : {}) };
  }
  const rank = (label: string) => SCOPE_ORDER.indexOf(label.split(":", 1)[0]!);
  const best = hits.reduce((a, b) => (rank(b.scopeLabel) < rank(a.scopeLabel) ? b : a)).scopeLabel;
  const providers = [...new Set(hits.filter((h) => h.scopeLabel === best).map((h) => h.provider))];
  return { providers, scope: best, incomplete };
}

/** NOT_FOUND when no provider lists the secret (and every provider could be listed). */
export function requireTargets(
  name: string,
  provider: string | undefined,
  targets: { providers: string[]; incomplete: boolean; deleted?: boolean },
): void {
  if (targets.providers.length === 0 && !targets.incomplete) {
    if (targets.deleted) {
      throw new CofferError("NOT_FOUND", `secret "${name}" is already deleted${provider ? ` in ${provider}` : ""}`, {
        name,
        hint: `restore it with 'coffer restore ${name}', remove it for good with 'coffer delete ${name} --purge', or store a new value with 'coffer set ${name}'`,
      });
    }
    throw new CofferError("NOT_FOUND", `secret "${name}" not found${provider ? ` in ${provider}` : ""}`, {
      name,
      hint: "see 'coffer list' (deleted secrets: 'coffer list --include-deleted')",
    });
  }
}

/** Ask before deleting (or fail without a terminal), naming every provider. Returns false when declined. */
export async function confirmDeletion(
  ctx: CommandContext,
  args: ParsedArguments,
  name: string,
  targets: { providers: string[]; scope?: string; incomplete?: boolean },
  purge: boolean,
): Promise<boolean> {
  const where = targets.providers.length > 0 ? targets.providers.join(", ") : "every provider holding it";
  const scopeText = targets.scope && targets.scope !== "global" ? ` (scope ${targets.scope})` : "";
  const confirmed = booleanFlag(args, "confirm") || booleanFlag(args, "yes");
  if (confirmed) return true;
  if (!ctx.terminal.interactive) {
    throw new CofferError("INVALID_ARGUMENT", `deleting '${name}' needs confirmation, and prompting is off`, {
      field: "confirm",
      hint: "pass --confirm (or --yes) to delete without a prompt",
    });
  }
  ctx.note(
    `${ctx.errStyle.yellow("⚠ Warning:")} This will ${purge ? "permanently delete" : "delete"} secret '${name}'${scopeText} from: ${where}.`,
  );
  ctx.note(
    purge
      ? "  This action cannot be undone."
      : "  It can be restored with 'coffer restore' during the recovery window.",
  );
  ctx.note("");
  return await ctx.confirm("Are you sure?", "--confirm");
}

/** `coffer delete <name>`: delete from every provider holding it, after confirmation. */
export const deleteCommand: CommandHandler = async (ctx, args) => {
  const name = validateSecretName(args.positionals[0]!);
  const purge = booleanFlag(args, "purge");
  const provider = stringFlag(args, "provider");
  const scope = scopeFlag(args, ctx.cwd);
  const coffer = await ctx.coffer();
  const targets = await deletionTargets(coffer, name, provider, scope, purge);
  requireTargets(name, provider, targets);
  if (!(await confirmDeletion(ctx, args, name, targets, purge))) {
    ctx.note("Cancelled; nothing was deleted.");
    return { data: { deleted: false, name }, exitCode: 1 };
  }
  const result = await coffer.delete(name, defined({ ...scope, provider, purge: purge || undefined }));
  for (const h of result.hooks) if (!h.ok) ctx.warn(`hook ${h.hook} failed${h.message ? `: ${h.message}` : ""}`);
  const lines = [
    `${ctx.style.green("✓")} Secret '${name}' ${result.purged ? "purged" : "deleted"} successfully`,
    `  Removed from: ${result.removedFrom.join(", ")}`,
    `  Versions deleted: ${result.versionsDeleted}`,
  ];
  if (!result.purged) {
    lines.push(`  Restore with: coffer restore ${name}${result.purgeAt ? ` (until ${result.purgeAt})` : ""}`);
  }
  return { data: { deleted: true, name, ...result }, lines };
};
