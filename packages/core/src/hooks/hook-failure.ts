import { CofferError } from "../errors/index.js";

/**
 * The error of a shell or webhook hook that could not run or failed: `<label> <message>`, with
 * the rule `hook:<id>` in its details. Messages name the hook, never a value or a signing secret.
 */
export function hookFailure(
  id: string,
  label: string,
  message: string,
  code: "UNAVAILABLE" | "PERMISSION_DENIED" = "UNAVAILABLE",
  cause?: unknown,
): CofferError {
  return new CofferError(
    code,
    `${label} ${message}`,
    { rule: `hook:${id}` },
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Text a hook sent back (its output, a veto reason), safe to show: control characters become
 * spaces, the ends are trimmed, and more than `max` characters are cut with `…`.
 */
export function printableHookText(text: string, max = 200): string {
  const clean = text.replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
