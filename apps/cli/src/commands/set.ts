import { CofferError, MAX_DESCRIPTION_BYTES } from "@coffer/core";
import type { CommandContext } from "../cli/command-context.js";
import type { CommandHandler } from "../cli/command-spec.js";
import { booleanFlag, formatValue, integerFlag, stringFlag } from "../cli/flag-values.js";
import { readSecretValue, reportHooks, storedLines, writeOptionsOf } from "../cli/write-options.js";

/** The payload of `coffer set NAME --from-json` (the catalog style of other secret tools). */
interface JsonPayload {
  name?: unknown;
  plaintext_value?: unknown;
  description?: unknown;
}

async function readJsonPayload(ctx: CommandContext, name: string): Promise<{ value: string; description?: string }> {
  if (!ctx.stdinIsPiped) {
    throw new CofferError("INVALID_ARGUMENT", "--from-json reads the payload from stdin; pipe it in", {
      field: "from-json",
    });
  }
  let payload: JsonPayload;
  try {
    payload = JSON.parse(await ctx.readStdin()) as JsonPayload;
  } catch {
    // JSON.parse messages quote the input: never show them.
    throw new CofferError("INVALID_ARGUMENT", "the payload on stdin is not valid JSON", { field: "from-json" });
  }
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) {
    throw new CofferError("INVALID_ARGUMENT", "the payload must be a JSON object", { field: "from-json" });
  }
  if (payload.name !== undefined && payload.name !== name) {
    throw new CofferError(
      "INVALID_ARGUMENT",
      `payload name ${JSON.stringify(String(payload.name).slice(0, 64))} does not match '${name}'`,
      {
        field: "name",
      },
    );
  }
  if (typeof payload.plaintext_value !== "string" || payload.plaintext_value.length === 0) {
    throw new CofferError("INVALID_ARGUMENT", "plaintext_value is required", { field: "plaintext_value" });
  }
  if (payload.description !== undefined && typeof payload.description !== "string") {
    throw new CofferError("INVALID_ARGUMENT", "description must be a string", { field: "description" });
  }
  if (typeof payload.description === "string" && Buffer.byteLength(payload.description) > MAX_DESCRIPTION_BYTES) {
    throw new CofferError("INVALID_ARGUMENT", `description exceeds ${MAX_DESCRIPTION_BYTES} byte limit`, {
      field: "description",
    });
  }
  return { value: payload.plaintext_value, ...(payload.description ? { description: payload.description } : {}) };
}

/** `coffer set <name> [value]`: store a secret; the value is never echoed. */
export const setCommand: CommandHandler = async (ctx, args) => {
  const name = args.positionals[0]!;
  const options = writeOptionsOf(args, ctx.cwd);
  const generate = formatValue(stringFlag(args, "generate"), "--generate");
  const fromJson = booleanFlag(args, "from-json");
  const given = args.positionals[1];
  if ([generate !== undefined, fromJson, given !== undefined].filter(Boolean).length > 1) {
    throw new CofferError("INVALID_ARGUMENT", "give the value one way: an argument, --generate or --from-json", {
      field: "value",
    });
  }
  const coffer = await ctx.coffer();
  if (generate !== undefined) {
    const result = await coffer.generate({
      format: generate,
      length: integerFlag(args, "length", "generateLength"),
      prefix: options.rotationPrefix,
      saveAs: name,
      save: options,
    });
    const saved = result.saved!;
    reportHooks(ctx, saved.hooks);
    return {
      data: { ...saved, generated: { format: result.format, length: result.length, entropyBits: result.entropyBits } },
      lines: [
        ...storedLines(ctx, saved),
        `  Generated: ${result.format}, ${result.length} characters (~${Math.round(result.entropyBits)} bits); not shown`,
      ],
    };
  }
  let value: string;
  if (fromJson) {
    const payload = await readJsonPayload(ctx, name);
    value = payload.value;
    if (payload.description !== undefined && options.description === undefined)
      options.description = payload.description;
  } else {
    value = await readSecretValue(ctx, name, given, ", or use --generate FORMAT");
  }
  const result = await coffer.set(name, value, options);
  reportHooks(ctx, result.hooks);
  return { data: result, lines: storedLines(ctx, result) };
};
