/**
 * Text in AWS tag values. AWS tag values hold at most 256 characters of letters, digits, spaces
 * and `_ . : / = + - @`. Text that fits is stored verbatim (readable in the console); anything
 * else is stored as `b64:` + base64url of its UTF-8 bytes. Long encodings are split over
 * `<key>`, `<key>:2`, `<key>:3`, ... so a value is never truncated.
 */

/** Longest AWS tag value. */
export const TAG_VALUE_MAX = 256;
/** Marks an encoded (base64url) tag value. */
export const ENCODED_MARK = "b64:";

const PLAIN = /^[\p{L}\p{N} _.:/=+@-]*$/u;
const PLAIN_ITEM = /^[\p{L}\p{N}_.:/=+@-]+$/u;

/** Encode text so AWS accepts it as a tag value (before chunking). */
export function encodeTagText(text: string): string {
  const plain = PLAIN.test(text) && !text.startsWith(ENCODED_MARK) && text.trim() === text;
  return plain ? text : `${ENCODED_MARK}${Buffer.from(text, "utf8").toString("base64url")}`;
}

/** Inverse of {@link encodeTagText}. */
export function decodeTagText(stored: string): string {
  return stored.startsWith(ENCODED_MARK)
    ? Buffer.from(stored.slice(ENCODED_MARK.length), "base64url").toString("utf8")
    : stored;
}

/** Encode a list of strings: space-separated when every item is plain, else JSON (then encoded). */
export function encodeTagList(items: readonly string[]): string {
  const simple = items.every((item) => PLAIN_ITEM.test(item));
  return encodeTagText(simple ? items.join(" ") : JSON.stringify(items));
}

/** Inverse of {@link encodeTagList}; malformed input yields an empty list. */
export function decodeTagList(stored: string): string[] {
  const text = decodeTagText(stored);
  if (text.startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(text);
      return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === "string") : [];
    } catch {
      return [];
    }
  }
  return text === "" ? [] : text.split(" ");
}

/** Split an encoded value over `key`, `key:2`, ... in chunks of at most 256 characters. */
export function chunkTag(key: string, encoded: string): [string, string][] {
  if (encoded.length <= TAG_VALUE_MAX) return [[key, encoded]];
  const out: [string, string][] = [];
  for (let i = 0, part = 1; i < encoded.length; i += TAG_VALUE_MAX, part++) {
    out.push([part === 1 ? key : `${key}:${part}`, encoded.slice(i, i + TAG_VALUE_MAX)]);
  }
  return out;
}

/** Join the chunks of `key` back together; undefined when the key is absent. */
export function readChunkedTag(tags: ReadonlyMap<string, string>, key: string): string | undefined {
  const first = tags.get(key);
  if (first === undefined) return undefined;
  let value = first;
  for (let part = 2; ; part++) {
    const next = tags.get(`${key}:${part}`);
    if (next === undefined) return value;
    value += next;
  }
}
