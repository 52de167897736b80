/** Lowercase ASCII letters. */
export const LOWERCASE = "abcdefghijklmnopqrstuvwxyz";
/** Uppercase ASCII letters. */
export const UPPERCASE = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
/** Decimal digits. */
export const DIGITS = "0123456789";
/**
 * Password symbols: punctuation that survives shells, URLs in quotes, `.env` and config files
 * (no quotes, backslash, backtick, blank or `|`).
 */
export const SYMBOLS = "!#$%&()*+,-./:;<=>?@[]^_{}~";
/** Base62 alphabet of `api-key` bodies. */
export const BASE62 = DIGITS + UPPERCASE + LOWERCASE;
