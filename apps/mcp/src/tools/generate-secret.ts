import { CofferError, type GenerateOptions, SECRET_FORMATS, type SetOptions } from "@coffer/core";
import * as z from "zod";
import { rangedInteger } from "../numeric-arguments.js";
import { toScopeInput, writeScopeFields } from "../scope-arguments.js";
import { sideEffectLines, withLines } from "../secret-text.js";
import { defineTool } from "../tool-definition.js";

/** `generate_secret`: random value; with `saveAs` it is stored and not returned. */
export const generateSecretTool = defineTool({
  name: "generate_secret",
  title: "Generate secret",
  description:
    "[secrets] Generate a cryptographically random value (api-key, token, password, hex, uuid, alphanumeric). " +
    "With saveAs the value is stored under that key (scope, env, tags, description, ttlSeconds apply) and is NOT returned: prefer this so the value never enters your context. " +
    "Without saveAs the value is returned in the result and nothing is stored. Saving writes a 'write' audit event and triggers hooks.",
  annotations: {
    title: "Generate secret",
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: false,
    openWorldHint: false,
  },
  input: {
    format: z.enum(SECRET_FORMATS).default("token").describe("Value format. Default 'token'."),
    length: rangedInteger("generateLength")
      .optional()
      .describe("Length in characters (bytes for token/hex). Default depends on the format."),
    prefix: z.string().optional().describe("Literal prefix for api-key/token formats. Example: 'sk-'."),
    saveAs: z
      .string()
      .optional()
      .describe("Store the value under this key and do not return it. Example: 'SESSION_SECRET'."),
    ...writeScopeFields,
    env: z.string().optional().describe("With saveAs: write this env state instead of the default state."),
    tags: z.array(z.string()).optional().describe("With saveAs: tags of the stored secret."),
    description: z.string().optional().describe("With saveAs: description of the stored secret."),
    ttlSeconds: rangedInteger("ttlSeconds").optional().describe("With saveAs: decay window in seconds."),
  },
  async run(args, { coffer }) {
    const options: GenerateOptions = { format: args.format };
    if (args.length !== undefined) options.length = args.length;
    if (args.prefix !== undefined) options.prefix = args.prefix;
    if (args.saveAs === undefined) {
      const saveOnly = (["env", "tags", "description", "ttlSeconds", "teamId", "orgId", "projectPath"] as const).filter(
        (field) => args[field] !== undefined,
      );
      if (saveOnly.length > 0) {
        throw new CofferError(
          "INVALID_ARGUMENT",
          `${saveOnly.join(", ")} only apply with saveAs; nothing was generated`,
          { field: saveOnly[0] },
        );
      }
    } else {
      options.saveAs = args.saveAs;
      const save: SetOptions = toScopeInput(args);
      if (args.env !== undefined) save.env = args.env;
      if (args.tags !== undefined) save.tags = args.tags;
      if (args.description !== undefined) save.description = args.description;
      if (args.ttlSeconds !== undefined) save.ttlSeconds = args.ttlSeconds;
      options.save = save;
    }
    const result = await coffer.generate(options);
    const about = `${result.format}, ${result.length} characters, ~${Math.round(result.entropyBits)} bits of entropy`;
    if (result.saved) {
      const where = `[${result.saved.scopeLabel}] ${result.saved.name}`;
      const first = `${where}${result.saved.env ? ` set for env:${result.saved.env}` : " saved"} with a generated value (${about}, v${result.saved.version}); the value was not returned`;
      return withLines(first, sideEffectLines(result.saved.entangled, result.saved.hooks));
    }
    return `generated (${about}; not stored):\n${result.value ?? ""}`;
  },
});
