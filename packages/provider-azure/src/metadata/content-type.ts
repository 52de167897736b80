/** Content type of values stored from base64 (the secret holds the base64 text). */
export const BASE64_CONTENT_TYPE = "application/octet-stream;base64";
/** Content type of text values. */
export const TEXT_CONTENT_TYPE = "text/plain; charset=utf-8";

/** True when an Azure content type says the value is base64 text (spaces and case ignored). */
export function isBase64ContentType(contentType: string | undefined): boolean {
  return contentType?.replace(/\s+/g, "").toLowerCase() === BASE64_CONTENT_TYPE;
}
