import { defineTool } from "../tool-definition.js";
import { entangleFields, entangleScopes } from "./entangle-arguments.js";

/** `entangle_secrets`: link two secrets so writing one writes the other. */
export const entangleSecretsTool = defineTool({
  name: "entangle_secrets",
  title: "Entangle two secrets",
  description:
    "[secrets] Link two secrets that must always hold the same value (e.g. the same API key used under two names or in two scopes): from then on, set_secret or rotate_secret on either one writes both. " +
    "Use instead of storing a duplicate by hand. Both must exist; links that would form a cycle are refused. Writes an 'entangle' audit event; values are not changed or returned. Returns the linked group.",
  annotations: {
    title: "Entangle secrets",
    readOnlyHint: false,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  input: entangleFields,
  async run(args, { coffer }) {
    const result = await coffer.entangle(args.keyA, args.keyB, entangleScopes(args));
    return `entangled [${args.scopeA}] ${args.keyA} <-> [${args.scopeB}] ${args.keyB}; group: ${result.group.join(", ")}`;
  },
});
