import type { ImportOptions } from "@coffer/core";
import * as z from "zod";
import { requestedScopeLabel, toScopeInput, writeScopeFields } from "../scope-arguments.js";
import { defineTool } from "../tool-definition.js";

/** `import_dotenv`: import .env text (not a path). */
export const importDotenvTool = defineTool({
  name: "import_dotenv",
  title: "Import .env content",
  description:
    "[secrets] Import many secrets at once from .env text (KEY=value lines; quotes, comments and export prefixes understood). Pass the file's content, not a path. " +
    "Use dryRun: true first to see what would be created or updated. Existing keys are overwritten (new version) unless skipExisting is true; unchanged values are left alone. " +
    "Writes 'import' audit events and triggers hooks. Returns counts and one line per key; values are never echoed.",
  annotations: {
    title: "Import .env",
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: true,
    openWorldHint: false,
  },
  input: {
    content: z
      .string()
      .describe("The .env text itself (not a file path). Example: 'STRIPE_KEY=sk_test_123\\nDB_URL=postgres://...'."),
    ...writeScopeFields,
    env: z
      .string()
      .optional()
      .describe("Write every key to this env state (e.g. 'prod') instead of the default state."),
    tags: z.array(z.string()).optional().describe("Tags added to every imported secret."),
    dryRun: z.boolean().default(false).describe("Only report what would change. Default false."),
    skipExisting: z.boolean().default(false).describe("Leave keys that already exist untouched. Default false."),
  },
  async run(args, { coffer }) {
    const options: ImportOptions = {
      ...toScopeInput(args),
      format: "env",
      dryRun: args.dryRun,
      skipExisting: args.skipExisting,
    };
    if (args.env !== undefined) options.env = args.env;
    if (args.tags !== undefined) options.tags = args.tags;
    const report = await coffer.import(args.content, options);
    const counts = `${report.created} created, ${report.updated} updated, ${report.skipped} skipped, ${report.unchanged} unchanged`;
    const where = `[${requestedScopeLabel(args)}]${args.env ? ` env:${args.env}` : ""}`;
    const lines = [
      report.dryRun ? `dry run ${where}, nothing written: would be ${counts}` : `imported into ${where}: ${counts}`,
    ];
    for (const item of report.items) lines.push(`${item.action} ${item.name}`);
    for (const warning of report.warnings) lines.push(`warning: ${warning}`);
    return lines.join("\n");
  },
});
