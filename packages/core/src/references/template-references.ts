import { CofferError } from "../errors/index.js";
import { formatReference, parseReference, type SecretReference } from "./secret-reference.js";

/** `{{ coffer://... }}` with optional blanks inside the braces. */
const TEMPLATE_REFERENCE = /\{\{[ \t]*(coffer:\/\/[^\s{}]*)[ \t]*\}\}/g;

/** One `{{ coffer://NAME }}` found in a text. */
export interface TemplateReference {
  /** The reference text (`coffer://NAME?...`). */
  text: string;
  /** Parsed reference. */
  reference: SecretReference;
  /** The reference in canonical form (the key of {@link resolveReferences}' answer). */
  canonical: string;
  /** Offset of the opening `{{` (UTF-16 units). */
  start: number;
  /** Offset just past the closing `}}`. */
  end: number;
  /** 1-based line of the opening `{{`. */
  line: number;
}

/**
 * Every `{{ coffer://NAME }}` of a template, in order.
 * @throws CofferError INVALID_ARGUMENT naming the line of a malformed reference
 */
export function findTemplateReferences(template: string): TemplateReference[] {
  const out: TemplateReference[] = [];
  let line = 1;
  let counted = 0;
  for (const m of template.matchAll(TEMPLATE_REFERENCE)) {
    for (let i = template.indexOf("\n", counted); i >= 0 && i < m.index; i = template.indexOf("\n", i + 1)) line++;
    counted = m.index;
    let reference: SecretReference;
    try {
      reference = parseReference(m[1]!);
    } catch (err) {
      const message = err instanceof CofferError ? err.message : "malformed reference";
      throw new CofferError("INVALID_ARGUMENT", `template line ${line}: ${message}`, { line, field: "reference" });
    }
    out.push({
      text: m[1]!,
      reference,
      canonical: formatReference(reference),
      start: m.index,
      end: m.index + m[0].length,
      line,
    });
  }
  return out;
}

/**
 * Replace every `{{ coffer://NAME }}` of a template by the value `valueFor` gives for the
 * reference's canonical form; everything else is kept as written.
 */
export function renderTemplate(
  template: string,
  found: readonly TemplateReference[],
  valueFor: (canonical: string) => string,
): string {
  let out = "";
  let at = 0;
  for (const f of found) {
    out += template.slice(at, f.start) + valueFor(f.canonical);
    at = f.end;
  }
  return out + template.slice(at);
}
