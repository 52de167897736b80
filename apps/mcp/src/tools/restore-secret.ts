import * as z from "zod";
import { requestedScopeLabel, toScopeInput, writeScopeFields } from "../scope-arguments.js";
import { defineTool } from "../tool-definition.js";

/** `restore_secret`: bring back a soft-deleted secret. */
export const restoreSecretTool = defineTool({
  name: "restore_secret",
  title: "Restore deleted secret",
  description:
    "[secrets] Restore a secret deleted with delete_secret (without purge) while it is still in its recovery window; its versions come back as they were. " +
    "Use list_secrets with includeDeleted: true to find deleted secrets. Writes a 'restore' audit event. Returns '[scope] KEY restored (N versions)'.",
  annotations: {
    title: "Restore secret",
    readOnlyHint: false,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  input: {
    key: z.string().describe("Secret key name. Example: 'STRIPE_SECRET_KEY'."),
    ...writeScopeFields,
  },
  async run(args, { coffer }) {
    const result = await coffer.restore(args.key, toScopeInput(args));
    return `[${requestedScopeLabel(args)}] ${args.key} restored (${result.versionsRestored} version${result.versionsRestored === 1 ? "" : "s"}, provider ${result.provider})`;
  },
});
