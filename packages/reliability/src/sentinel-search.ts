import { randomBytes } from "node:crypto";

/** A searchable encoding of a sentinel value. */
export interface SentinelForm {
  /** `plain`, `base64`, `base64url` or `hex`. */
  encoding: string;
  /** The encoded text searched for. */
  text: string;
}

/** One place a sentinel was found. */
export interface SentinelHit {
  /** Where (file path, process label, response...). */
  source: string;
  /** Encoding that matched. */
  encoding: string;
  /** Offset in the searched text or bytes. */
  offset: number;
}

/** A fresh sentinel secret: recognisable, random, and long enough never to occur by chance. */
export function newSentinel(): string {
  return `sk_live_SENTINEL${randomBytes(12).toString("hex")}`;
}

/**
 * The forms a value takes when something encodes it: plain, base64 and base64url (at each of
 * the three byte alignments, so a value embedded in a longer encoded string is found too), and
 * hex in both cases.
 */
export function sentinelForms(value: string): SentinelForm[] {
  const bytes = Buffer.from(value, "utf8");
  const forms: SentinelForm[] = [{ encoding: "plain", text: value }];
  for (let shift = 0; shift < 3; shift++) {
    const padded = Buffer.concat([Buffer.alloc(shift), bytes]);
    // Drop characters touched by the padding or by the unknown bytes that follow.
    const skip = Math.ceil((shift * 4) / 3);
    const usable = Math.floor((padded.length * 4) / 3) - 1;
    for (const enc of ["base64", "base64url"] as const) {
      const text = padded.toString(enc).slice(skip, usable);
      if (text.length >= 16) forms.push({ encoding: `${enc}+${shift}`, text });
    }
  }
  forms.push({ encoding: "hex", text: bytes.toString("hex") });
  forms.push({ encoding: "HEX", text: bytes.toString("hex").toUpperCase() });
  return forms;
}

/** Every occurrence of any form of the sentinel in `haystack` (text or raw bytes). */
export function findSentinel(source: string, haystack: string | Buffer, forms: SentinelForm[]): SentinelHit[] {
  const hits: SentinelHit[] = [];
  const buf = typeof haystack === "string" ? Buffer.from(haystack, "utf8") : haystack;
  for (const form of forms) {
    const needle = Buffer.from(form.text, "utf8");
    for (let at = buf.indexOf(needle); at !== -1; at = buf.indexOf(needle, at + 1)) {
      hits.push({ source, encoding: form.encoding, offset: at });
    }
  }
  return hits;
}
