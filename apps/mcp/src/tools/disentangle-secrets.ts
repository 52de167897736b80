import { defineTool } from "../tool-definition.js";
import { entangleFields, entangleScopes } from "./entangle-arguments.js";

/** `disentangle_secrets`: remove a link made by entangle_secrets. */
export const disentangleSecretsTool = defineTool({
  name: "disentangle_secrets",
  title: "Disentangle two secrets",
  description:
    "[secrets] Remove the link between two entangled secrets so they can hold different values again. Values are not changed. Writes a 'disentangle' audit event. " +
    "Returns whether a link was removed.",
  annotations: {
    title: "Disentangle secrets",
    readOnlyHint: false,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  input: entangleFields,
  async run(args, { coffer }) {
    const result = await coffer.disentangle(args.keyA, args.keyB, entangleScopes(args));
    const pair = `[${args.scopeA}] ${args.keyA} and [${args.scopeB}] ${args.keyB}`;
    return result.removed ? `disentangled ${pair}` : `${pair} were not entangled; nothing changed`;
  },
});
