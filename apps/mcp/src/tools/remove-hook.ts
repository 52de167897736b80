import { CofferError, isCofferError } from "@coffer/core";
import * as z from "zod";
import { requireHookRegistry } from "../governance-context.js";
import { defineTool } from "../tool-definition.js";

/** `remove_hook`: remove a hook registered at run time (people only). */
export const removeHookTool = defineTool({
  name: "remove_hook",
  title: "Remove a hook",
  description:
    "[governance] Ask to remove a hook registered at run time (see list_hooks; hooks from config are removed by editing the config file). " +
    "Only a person may remove hooks: called by an agent this ALWAYS fails with PERMISSION_DENIED and removes nothing; tell the user the hook id instead. " +
    "Returns 'removed hook ID' when a person's session may remove it.",
  annotations: {
    title: "Remove hook",
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: true,
    openWorldHint: false,
  },
  input: {
    id: z.string().min(1).max(64).describe("Id of the registered hook. Example: 'notify-security'."),
  },
  async run(args, context) {
    try {
      await requireHookRegistry(context).remove(args.id, { by: context.coffer.accessor });
    } catch (err) {
      if (!isCofferError(err, "PERMISSION_DENIED")) throw err;
      throw new CofferError(err.code, `${err.message}; nothing was removed`, {
        ...err.details,
        hint: `ask the user to remove it: coffer hook remove ${args.id}`,
      });
    }
    return `removed hook ${args.id}`;
  },
});
