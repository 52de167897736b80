import type { CommandHandler } from "../cli/command-spec.js";
import { defined, formatValue, integerFlag, listFlag, scopeFlag, stringFlag } from "../cli/flag-values.js";
import { reportHooks, storedLines } from "../cli/write-options.js";

/** `coffer generate`: print a random value, or store it with --save (then it is not printed). */
export const generateCommand: CommandHandler = async (ctx, args) => {
  const format = formatValue(stringFlag(args, "format"), "--format");
  const saveAs = stringFlag(args, "save");
  const coffer = await ctx.coffer();
  const result = await coffer.generate(
    defined({
      format,
      length: integerFlag(args, "length", "generateLength"),
      prefix: stringFlag(args, "prefix"),
      saveAs,
      save:
        saveAs === undefined
          ? undefined
          : defined({
              ...scopeFlag(args, ctx.cwd),
              provider: stringFlag(args, "provider"),
              env: stringFlag(args, "env"),
              tags: listFlag(args, "tags"),
            }),
    }),
  );
  const about = `${result.format}, ${result.length} characters, ~${Math.round(result.entropyBits)} bits of entropy`;
  if (result.saved) {
    reportHooks(ctx, result.saved.hooks);
    return {
      data: { format: result.format, length: result.length, entropyBits: result.entropyBits, saved: result.saved },
      lines: [...storedLines(ctx, result.saved), `  Generated: ${about}; not shown`],
    };
  }
  return { data: result, lines: [result.value!] };
};
