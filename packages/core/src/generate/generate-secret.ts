import { randomBytes, randomUUID } from "node:crypto";
import { CofferError } from "../errors/index.js";
import { NUMERIC_RANGES } from "../inputs/numeric-ranges.js";
import { SECRET_FORMATS, type SecretFormat } from "../model/index.js";
import { BASE62, DIGITS, LOWERCASE, SYMBOLS, UPPERCASE } from "./character-classes.js";
import { randomString } from "./uniform-random.js";

/** Smallest accepted `length`. */
export const MIN_GENERATE_LENGTH = NUMERIC_RANGES.generateLength.min;
/** Largest accepted `length`. */
export const MAX_GENERATE_LENGTH = NUMERIC_RANGES.generateLength.max;
/** Longest accepted `prefix`. */
export const MAX_PREFIX_LENGTH = 64;
/** Characters a `prefix` may use. */
export const PREFIX_PATTERN = /^[A-Za-z0-9_.:-]*$/;

/** Character classes used by `password` and `alphanumeric`. */
export interface GenerateCharset {
  /** Lowercase letters a-z. @default true */
  lower?: boolean;
  /** Uppercase letters A-Z. @default true */
  upper?: boolean;
  /** Digits 0-9. @default true */
  digits?: boolean;
  /** Symbols `!#$%&()*+,-./:;<=>?@[]^_{}~`; `password` only. @default true for password, false for alphanumeric */
  symbols?: boolean;
}

/** Options of {@link generateSecret}. */
export interface GenerateSecretOptions {
  /** What to generate. @default "token" */
  format?: SecretFormat;
  /**
   * Size, 8..4096: body characters for `api-key` (default 32), bytes for `token` (default 32)
   * and `hex` (default 32, so 64 hex digits), characters for `password` (default 24) and
   * `alphanumeric` (default 32). Ignored by `uuid`.
   */
  length?: number;
  /** Literal text put before the random part; `api-key` and `token` only, `[A-Za-z0-9_.:-]`, at most 64. */
  prefix?: string;
  /** Character classes; `password` and `alphanumeric` only. */
  charset?: GenerateCharset;
}

/** A generated secret. */
export interface GeneratedSecret {
  /** The secret. */
  value: string;
  /** Format it was generated in. */
  format: SecretFormat;
  /** Entropy of the random part in bits (log2 of the number of equally likely outcomes), rounded down to 0.01. */
  entropyBits: number;
}

const DEFAULT_LENGTH: Record<SecretFormat, number> = {
  "api-key": 32,
  token: 32,
  password: 24,
  hex: 32,
  uuid: 0,
  alphanumeric: 32,
};

const CLASS_ALPHABETS = { lower: LOWERCASE, upper: UPPERCASE, digits: DIGITS, symbols: SYMBOLS } as const;
type ClassName = keyof typeof CLASS_ALPHABETS;
const CLASS_NAMES = Object.keys(CLASS_ALPHABETS) as ClassName[];
/** Give up (INTERNAL) after this many password draws missing a class; practically unreachable. */
const MAX_PASSWORD_DRAWS = 10_000;

function invalid(message: string, field: string): CofferError {
  return new CofferError("INVALID_ARGUMENT", message, { field });
}

function floorBits(bits: number): number {
  return Math.floor(bits * 100 + 1e-9) / 100;
}

function resolveClasses(format: "password" | "alphanumeric", charset: unknown): ClassName[] {
  const enabled: Record<ClassName, boolean> = {
    lower: true,
    upper: true,
    digits: true,
    symbols: format === "password",
  };
  if (charset !== undefined) {
    if (charset === null || typeof charset !== "object" || Array.isArray(charset)) {
      throw invalid("charset must be an object like { lower, upper, digits, symbols }", "charset");
    }
    for (const [name, on] of Object.entries(charset)) {
      if (!(CLASS_NAMES as string[]).includes(name)) {
        throw invalid(`charset has no class ${JSON.stringify(name)}; classes: ${CLASS_NAMES.join(", ")}`, "charset");
      }
      if (on === undefined) continue;
      if (typeof on !== "boolean") throw invalid(`charset.${name} must be true or false`, "charset");
      enabled[name as ClassName] = on;
    }
  }
  if (format === "alphanumeric" && enabled.symbols) {
    throw invalid("the alphanumeric format has no symbols; use the password format for symbols", "charset");
  }
  const classes = CLASS_NAMES.filter((name) => enabled[name]);
  if (classes.length === 0) throw invalid("charset must enable at least one character class", "charset");
  return classes;
}

/**
 * Entropy of a uniformly drawn string of `length` characters over the union of `classes`,
 * restricted to strings that hold at least one character of every class: log2 of the number of
 * such strings, counted by inclusion-exclusion in a form that does not overflow.
 */
function passwordEntropy(classes: ClassName[], length: number): number {
  const sizes = classes.map((c) => CLASS_ALPHABETS[c].length);
  const total = sizes.reduce((a, b) => a + b, 0);
  let validShare = 0;
  for (let mask = 0; mask < 1 << sizes.length; mask++) {
    let missing = 0;
    let bits = 0;
    sizes.forEach((size, i) => {
      if (mask & (1 << i)) {
        missing += size;
        bits++;
      }
    });
    validShare += (bits % 2 === 0 ? 1 : -1) * ((total - missing) / total) ** length;
  }
  return length * Math.log2(total) + Math.log2(validShare);
}

function generatePassword(classes: ClassName[], length: number): string {
  const alphabet = classes.map((c) => CLASS_ALPHABETS[c]).join("");
  // Uniform over all strings holding every class: draw uniformly, redraw until every class is present.
  const classOf = new Map<string, number>();
  classes.forEach((c, i) => {
    for (const ch of CLASS_ALPHABETS[c]) classOf.set(ch, i);
  });
  for (let draw = 0; draw < MAX_PASSWORD_DRAWS; draw++) {
    const candidate = randomString(alphabet, length);
    const seen = new Set<number>();
    for (const ch of candidate) seen.add(classOf.get(ch)!);
    if (seen.size === classes.length) return candidate;
  }
  throw new CofferError("INTERNAL", "could not generate a password holding every character class");
}

/**
 * Generate a random secret with the operating system CSPRNG (`node:crypto`), sampling
 * characters by rejection so every character is equally likely.
 * Formats: `api-key` (prefix + base62 body), `token` (prefix + base64url of random bytes),
 * `password` (at least one character of each enabled class), `hex`, `uuid` (v4),
 * `alphanumeric`.
 * @throws CofferError INVALID_ARGUMENT for an unknown format, a length outside 8..4096, a prefix
 *   on a format other than api-key/token or with characters outside `[A-Za-z0-9_.:-]`, or a
 *   charset on a format other than password/alphanumeric or enabling no class.
 */
export function generateSecret(options: GenerateSecretOptions = {}): GeneratedSecret {
  if (options === null || typeof options !== "object") throw invalid("options must be an object", "options");
  const format = options.format ?? "token";
  if (!(SECRET_FORMATS as readonly string[]).includes(format)) {
    throw invalid(`format ${JSON.stringify(format)} is not one of ${SECRET_FORMATS.join(", ")}`, "format");
  }

  let length = DEFAULT_LENGTH[format];
  if (format !== "uuid" && options.length !== undefined) {
    const n = options.length;
    if (typeof n !== "number" || !Number.isInteger(n) || n < MIN_GENERATE_LENGTH || n > MAX_GENERATE_LENGTH) {
      throw invalid(`length must be a whole number from ${MIN_GENERATE_LENGTH} to ${MAX_GENERATE_LENGTH}`, "length");
    }
    length = n;
  }

  const prefix = options.prefix ?? "";
  if (prefix !== "") {
    if (format !== "api-key" && format !== "token") {
      throw invalid(`prefix applies only to the api-key and token formats, not ${format}`, "prefix");
    }
    if (typeof prefix !== "string" || prefix.length > MAX_PREFIX_LENGTH || !PREFIX_PATTERN.test(prefix)) {
      throw invalid(`prefix must be at most ${MAX_PREFIX_LENGTH} characters of [A-Za-z0-9_.:-]`, "prefix");
    }
  }

  if (options.charset !== undefined && format !== "password" && format !== "alphanumeric") {
    throw invalid(`charset applies only to the password and alphanumeric formats, not ${format}`, "charset");
  }

  switch (format) {
    case "api-key":
      return { value: prefix + randomString(BASE62, length), format, entropyBits: floorBits(length * Math.log2(62)) };
    case "token":
      return { value: prefix + randomBytes(length).toString("base64url"), format, entropyBits: length * 8 };
    case "hex":
      return { value: randomBytes(length).toString("hex"), format, entropyBits: length * 8 };
    case "uuid":
      return { value: randomUUID(), format, entropyBits: 122 };
    case "alphanumeric": {
      const alphabet = resolveClasses(format, options.charset)
        .map((c) => CLASS_ALPHABETS[c])
        .join("");
      return {
        value: randomString(alphabet, length),
        format,
        entropyBits: floorBits(length * Math.log2(alphabet.length)),
      };
    }
    case "password": {
      const classes = resolveClasses(format, options.charset);
      return {
        value: generatePassword(classes, length),
        format,
        entropyBits: floorBits(passwordEntropy(classes, length)),
      };
    }
  }
}
