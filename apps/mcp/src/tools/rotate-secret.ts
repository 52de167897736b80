import { type RotateOptions, SECRET_FORMATS } from "@coffer/core";
import * as z from "zod";
import { rangedInteger } from "../numeric-arguments.js";
import { toScopeInput, writeScopeFields } from "../scope-arguments.js";
import { sideEffectLines, withLines } from "../secret-text.js";
import { defineTool } from "../tool-definition.js";

/** `rotate_secret`: new version from a given or generated value. Never returns the value. */
export const rotateSecretTool = defineTool({
  name: "rotate_secret",
  title: "Rotate secret",
  description:
    "[secrets] Replace a secret's value with a new version. Give value to set a known new value (e.g. one issued by the upstream service), or omit it to generate one from the secret's rotationFormat/rotationPrefix (or format/prefix here). " +
    "The previous version stays readable for a grace period unless expireOld is true. Entangled secrets are updated too. Writes a 'rotate' audit event and triggers hooks. " +
    "Returns the old and new version numbers, never the value (use exec_with_secrets to use it, or get_secret with reveal if you must see it).",
  annotations: {
    title: "Rotate secret",
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: false,
    openWorldHint: false,
  },
  input: {
    key: z.string().describe("Secret key name. Example: 'STRIPE_SECRET_KEY'."),
    ...writeScopeFields,
    env: z.string().optional().describe("Env state to rotate (e.g. 'prod'). Omit for the default state."),
    value: z.string().optional().describe("The new value. Omit to generate one. Never echoed or logged."),
    format: z
      .enum(SECRET_FORMATS)
      .optional()
      .describe("Format to generate with when value is omitted. Default: the secret's rotationFormat, else 'token'."),
    prefix: z
      .string()
      .optional()
      .describe("Prefix for generated api-key/token values. Default: the secret's rotationPrefix."),
    expireOld: z.boolean().optional().describe("Make the previous version unreadable immediately. Default false."),
    graceSeconds: rangedInteger("graceSeconds")
      .optional()
      .describe("Seconds the previous version stays readable. Default 30 days."),
  },
  async run(args, { coffer }) {
    const options: RotateOptions = toScopeInput(args);
    if (args.env !== undefined) options.env = args.env;
    if (args.value !== undefined) options.value = args.value;
    if (args.format !== undefined) options.generate = args.format;
    if (args.prefix !== undefined) options.prefix = args.prefix;
    if (args.expireOld !== undefined) options.expireOld = args.expireOld;
    if (args.graceSeconds !== undefined) options.graceSeconds = args.graceSeconds;
    const result = await coffer.rotate(args.key, options);
    const old = result.oldValidUntil
      ? `v${result.oldVersion} readable until ${result.oldValidUntil}`
      : `v${result.oldVersion} expired now`;
    const first = `[${result.scopeLabel}] ${result.name} rotated: v${result.oldVersion} -> v${result.newVersion} (${result.generated ? "generated value" : "given value"}; ${old})`;
    return withLines(first, sideEffectLines(result.entangled, result.hooks));
  },
});
