import * as z from "zod";
import { requestedScopeLabel, toScopeInput, writeScopeFields } from "../scope-arguments.js";
import { sideEffectLines, withLines } from "../secret-text.js";
import { defineTool } from "../tool-definition.js";

/** `delete_secret`: soft delete (recoverable) unless `purge`. */
export const deleteSecretTool = defineTool({
  name: "delete_secret",
  title: "Delete secret",
  description:
    "[secrets] Delete a secret (all its env states and versions) from a scope. By default the delete is recoverable with restore_secret until the recovery window ends; " +
    "purge: true removes it irrecoverably at once. Writes a 'delete' (or 'purge') audit event and triggers matching hooks. Subject to tool policy. " +
    "Returns '[scope] KEY deleted (recoverable until ...)' or '[scope] KEY purged'.",
  annotations: {
    title: "Delete secret",
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: true,
    openWorldHint: false,
  },
  input: {
    key: z.string().describe("Secret key name. Example: 'STRIPE_SECRET_KEY'."),
    ...writeScopeFields,
    purge: z.boolean().default(false).describe("Delete irrecoverably (no restore_secret). Default false."),
  },
  async run(args, { coffer }) {
    const result = await coffer.delete(args.key, { ...toScopeInput(args), purge: args.purge });
    const where = `[${requestedScopeLabel(args)}] ${args.key}`;
    const first = result.purged
      ? `${where} purged (${result.versionsDeleted} version${result.versionsDeleted === 1 ? "" : "s"} removed irrecoverably)`
      : `${where} deleted (recoverable with restore_secret${result.purgeAt ? ` until ${result.purgeAt}` : ""})`;
    return withLines(first, sideEffectLines([], result.hooks));
  },
});
