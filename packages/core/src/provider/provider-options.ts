import { CofferError } from "../errors/index.js";

/**
 * Every option name of a provider, as a record the compiler checks against the options type
 * (`Record<keyof Required<MyOptions>, true>`): a new option that is not listed fails to compile.
 */
export type OptionNames<T> = Record<keyof Required<T>, true>;

/**
 * Refuse an option a provider does not know, so a misspelled or unsupported setting is never
 * silently ignored.
 * @param kind provider kind named in the message, for example `local`
 * @param options the options as given (from config or code)
 * @param names every valid option name
 * @throws CofferError CONFIG naming the unknown option and listing the valid ones
 */
export function checkProviderOptionNames(kind: string, options: object, names: Record<string, true>): void {
  const valid = Object.keys(names);
  for (const key of Object.keys(options)) {
    if (!Object.hasOwn(names, key)) {
      throw new CofferError(
        "CONFIG",
        `unknown ${kind} provider option "${key}"; valid options are: ${valid.join(", ")}`,
        { field: key, provider: kind, valid },
      );
    }
  }
}
