import { type ApiTokens, apiTokens, CofferError, NUMERIC_RANGES, parseDuration } from "@coffer/core";
import type { CommandContext } from "../cli/command-context.js";
import type { CommandHandler } from "../cli/command-spec.js";
import { listFlag, stringFlag } from "../cli/flag-values.js";
import { renderTable } from "../cli/table.js";

async function tokens(ctx: CommandContext): Promise<ApiTokens> {
  const session = await ctx.session();
  if (!session.documents) {
    throw new CofferError("UNSUPPORTED", "API tokens live in the local store, which is not configured", {
      hint: "enable the local provider in coffer.yaml",
    });
  }
  return apiTokens(session.documents);
}

/** `coffer token create <name> --scopes a,b`: the token is printed once and never again. */
export const tokenCreateCommand: CommandHandler = async (ctx, args) => {
  const name = args.positionals[0]!;
  const scopes = listFlag(args, "scopes");
  if (!scopes || scopes.length === 0) {
    throw new CofferError("INVALID_ARGUMENT", "--scopes is required (for example --scopes secrets:read)", {
      field: "scopes",
    });
  }
  const expires = stringFlag(args, "expires");
  const pattern = stringFlag(args, "pattern");
  const created = await (await tokens(ctx)).create({
    name,
    scopes,
    ...(pattern !== undefined ? { pattern } : {}),
    ...(expires !== undefined
      ? { expiresInSeconds: parseDuration(expires, "--expires", NUMERIC_RANGES.tokenLifetimeSeconds) }
      : {}),
  });
  const { info } = created;
  return {
    data: created,
    lines: [
      `${ctx.style.green("✓")} API token '${info.name}' created`,
      `  Token: ${created.token}`,
      `  Id: ${info.id}`,
      `  Scopes: ${info.scopes.join(", ")}`,
      ...(info.pattern ? [`  Secrets: ${info.pattern}`] : []),
      `  Expires: ${info.expiresAt ?? "never"}`,
      "",
      ctx.style.yellow("Copy the token now: it is shown only this once (Coffer keeps only its hash)."),
    ],
  };
};

/** `coffer token list`: every token's metadata, never the token. */
export const tokenListCommand: CommandHandler = async (ctx) => {
  const list = await (await tokens(ctx)).list();
  const now = Date.now();
  const status = (t: (typeof list)[number]) =>
    t.revokedAt ? "revoked" : t.expiresAt && Date.parse(t.expiresAt) <= now ? "expired" : "active";
  const rows = list.map((t) => [
    t.name,
    t.id,
    t.scopes.join(", "),
    t.pattern ?? "*",
    t.createdAt,
    t.expiresAt ?? "never",
    t.lastUsedAt ?? "-",
    status(t),
  ]);
  return {
    data: { tokens: list.map((t) => ({ ...t, status: status(t) })) },
    lines: [
      `API tokens (${list.length} total):`,
      "",
      ...(rows.length > 0
        ? renderTable(
            ["Name", "Id", "Scopes", "Secrets", "Created", "Expires", "Last used", "Status"],
            rows,
            ctx.terminal.width,
          )
        : ["No tokens. Create one with: coffer token create NAME --scopes secrets:read"]),
    ],
  };
};

/** `coffer token revoke <name-or-id>`. */
export const tokenRevokeCommand: CommandHandler = async (ctx, args) => {
  const target = args.positionals[0]!;
  const revoked = await (await tokens(ctx)).revoke(target);
  if (!revoked) {
    throw new CofferError("NOT_FOUND", `no active API token named or with id ${JSON.stringify(target.slice(0, 64))}`, {
      hint: "see 'coffer token list'",
    });
  }
  return { data: { revoked: true, token: target }, lines: [`${ctx.style.green("✓")} API token '${target}' revoked`] };
};
