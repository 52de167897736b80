import {
  MAX_DESCRIPTION_BYTES as CORE_MAX_DESCRIPTION_BYTES,
  MAX_PREFIX_LENGTH,
  MAX_VALUE_BYTES,
  type NamingRule,
  NUMERIC_RANGES,
  RESERVED_PREFIX,
} from "@coffer/core";

// The one definition of what the REST server accepts. The route schemas are built from these
// rules, Fastify validates every request with those schemas, and /openapi.json is generated from
// the same schemas: the document states exactly what the server enforces. The rules mirror the
// service's own checks (which stay, for every front end); a request that passes them is never
// refused by the service with 400 for its form.

/** An inclusive range of whole numbers. */
export interface WholeRange {
  /** Smallest accepted value. */
  min: number;
  /** Largest accepted value. */
  max: number;
}

/**
 * Ranges of the whole-number inputs (query parameters and body fields): core's
 * `NUMERIC_RANGES`, the one definition every front end and the service check.
 */
export const RANGES = {
  /** `GET /v1/secrets` page size. */
  listLimit: NUMERIC_RANGES.listLimit,
  /** `GET /v1/audit` page size. */
  auditLimit: NUMERIC_RANGES.auditLimit,
  /** `GET /v1/audit/export` page size. */
  auditExportLimit: NUMERIC_RANGES.auditExportLimit,
  /** A version number (`?version=`, `If-Match`, rollback `to`). */
  version: NUMERIC_RANGES.version,
  /** Soft decay window of a secret, seconds. */
  ttlSeconds: NUMERIC_RANGES.ttlSeconds,
  /** Grace period of a rotated-out version, seconds. */
  graceSeconds: NUMERIC_RANGES.graceSeconds,
  /** Anomaly thresholds (counts). */
  anomalyCount: NUMERIC_RANGES.anomalyCount,
  /** Anomaly windows, seconds. */
  anomalyWindowSeconds: NUMERIC_RANGES.anomalyWindowSeconds,
  /** Reads an accessor needs before its hours are judged. */
  anomalyMinHistory: NUMERIC_RANGES.anomalyHistory,
} as const satisfies Record<string, WholeRange>;

/** Largest value size, bytes after decoding (larger: 413). */
export const MAX_VALUE_SIZE = MAX_VALUE_BYTES;
/** Largest description, UTF-8 bytes. */
export const MAX_DESCRIPTION_BYTES = CORE_MAX_DESCRIPTION_BYTES;
/** Most tags on one secret. */
export const MAX_TAGS = 50;
/** Most agent ids on one secret. */
export const MAX_AGENT_IDS = 100;
/** Longest purpose of a reveal. */
export const MAX_PURPOSE_LENGTH = 500;

/** Regular expression source of the decimal numbers from `min` to `max` with the same digit count. */
function sameLengthRange(low: string, high: string): string[] {
  if (low.length === 0) return [""];
  if (low === high) return [low];
  const rest = low.length - 1;
  const lowHead = Number(low[0]);
  const highHead = Number(high[0]);
  const lowTail = low.slice(1);
  const highTail = high.slice(1);
  if (lowHead === highHead) return sameLengthRange(lowTail, highTail).map((s) => `${lowHead}${s}`);
  const out: string[] = [];
  let from = lowHead;
  let to = highHead;
  if (lowTail !== "0".repeat(rest)) {
    out.push(...sameLengthRange(lowTail, "9".repeat(rest)).map((s) => `${lowHead}${s}`));
    from += 1;
  }
  let last: string[] = [];
  if (highTail !== "9".repeat(rest)) {
    last = sameLengthRange("0".repeat(rest), highTail).map((s) => `${highHead}${s}`);
    to -= 1;
  }
  if (from <= to) out.push(`${from === to ? from : `[${from}-${to}]`}${rest > 0 ? `[0-9]{${rest}}` : ""}`);
  return [...out, ...last];
}

/**
 * A regular expression matching exactly the decimal whole numbers of a range (leading zeros
 * allowed, as the server reads `007` as 7): the query string is text, so its ranges are patterns.
 */
export function wholeRangePattern(range: WholeRange): string {
  const alternatives: string[] = [];
  const minText = String(range.min);
  const maxText = String(range.max);
  for (let digits = minText.length; digits <= maxText.length; digits++) {
    const low = digits === minText.length ? minText : `1${"0".repeat(digits - 1)}`;
    const high = digits === maxText.length ? maxText : "9".repeat(digits);
    alternatives.push(...sameLengthRange(low, high));
  }
  return `^0*(?:${alternatives.join("|")})$`;
}

/** A whole-number query parameter of a range. */
export const wholeRangeParam = (range: WholeRange, description: string) =>
  ({
    type: "string",
    pattern: wholeRangePattern(range),
    maxLength: 24,
    description: `${description} Whole number from ${range.min} to ${range.max}.`,
  }) as const;

/** A whole-number body field of a range. */
export const wholeRangeField = (range: WholeRange, description: string) =>
  ({ type: "integer", minimum: range.min, maximum: range.max, description }) as const;

/** Secret names under each naming rule (the service's `validateSecretName`, as one pattern). */
export function secretNamePattern(rule: NamingRule): string {
  if (rule === "env") return `^(?!${RESERVED_PREFIX})[A-Z][A-Z0-9_]{0,127}$`;
  const reserved = [...RESERVED_PREFIX].map((c) => (/[A-Z]/.test(c) ? `[${c}${c.toLowerCase()}]` : c)).join("");
  // No reserved prefix (any case), no empty, "." or ".." segment, no trailing slash.
  return `^(?!${reserved})(?!.*//)(?!(?:.*/)?\\.\\.?(?:/|$))(?!.*/$)[A-Za-z_][A-Za-z0-9_./-]{0,127}$`;
}

/** Env state names (`validateEnvName`). */
export const ENV_PATTERN = "^(?!default$)[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$";
/** Team, org, user, agent and plugin ids (scope ids and `allowedAgentIds`). */
export const SCOPE_ID_PATTERN = "^[A-Za-z0-9][A-Za-z0-9_.@:-]{0,127}$";
/** One tag. */
export const TAG_PATTERN = "^[A-Za-z0-9][A-Za-z0-9_.:/@-]{0,63}$";
/** The prefix of generated values (`rotationPrefix`, rotate `prefix`). */
export const PREFIX_PATTERN_TEXT = "^[A-Za-z0-9_.:-]*$";
/** Strict, padded base64. */
export const BASE64_PATTERN = "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$";
/** Well-formed text: no unpaired UTF-16 surrogate (patterns are matched by code point). */
export const WELL_FORMED_TEXT_PATTERN = "^[^\\uD800-\\uDFFF]*$";
/** Text with at least one non-space character. */
export const NOT_BLANK_PATTERN = "\\S";

/** An absolute project directory without control characters, for the platform the server runs on. */
export function projectPathPattern(platform: NodeJS.Platform = process.platform): string {
  const start = platform === "win32" ? String.raw`(?:[A-Za-z]:[\\/]|\\\\)` : "/";
  return `^${start}[^\\u0000-\\u001f\\u007f]*$`;
}

// `nextCursor` of `GET /v1/secrets`: `k.<scope key>.<name>.<count>[.<skip>]`, text parts base64url (the
// service decodes every string of this shape).
/** The listing cursors the server issues. */
export const LIST_CURSOR_PATTERN = "^k\\.[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*\\.[0-9]{1,15}(?:\\.[0-9]{1,5})?$";

/** What the rules depend on: the configuration in force. */
export interface InputRuleSettings {
  /** Naming rule of the configuration. @default "default" */
  naming?: NamingRule;
  /** Names of the configured providers, in chain order. */
  providers: string[];
}

/**
 * The shared schemas of the inputs whose rule depends on the configuration (the secret name
 * under the naming rule in force, the configured provider names), plus those used on many
 * routes. Routes reference them as `{ $ref: "<Id>#" }`; the document lists them under
 * `components.schemas`.
 */
export function inputRuleSchemas(settings: InputRuleSettings) {
  const naming = settings.naming ?? "default";
  return [
    {
      $id: "SecretName",
      type: "string",
      minLength: 1,
      maxLength: 128,
      pattern: secretNamePattern(naming),
      description:
        naming === "env"
          ? `Secret name under the \`env\` naming rule: [A-Z][A-Z0-9_]*, 1-128 characters, not starting with ${RESERVED_PREFIX}. Encode \`/\` as \`%2F\`.`
          : `Secret name: [A-Za-z_][A-Za-z0-9_./-]*, 1-128 characters, no empty, \`.\` or \`..\` segment, no trailing \`/\`, not starting with ${RESERVED_PREFIX} (any case). Encode \`/\` as \`%2F\` (\`openai%2Fdefault_api_key\`).`,
    },
    {
      $id: "EnvName",
      type: "string",
      minLength: 1,
      maxLength: 64,
      pattern: ENV_PATTERN,
      description: 'Env state name (`dev`, `prod`): [A-Za-z0-9][A-Za-z0-9_.-]*, 1-64 characters, not "default".',
    },
    {
      $id: "ScopeId",
      type: "string",
      minLength: 1,
      maxLength: 128,
      pattern: SCOPE_ID_PATTERN,
      description: "An id (team, org, user, agent, plugin): [A-Za-z0-9][A-Za-z0-9_.@:-]*, 1-128 characters.",
    },
    {
      $id: "Tag",
      type: "string",
      minLength: 1,
      maxLength: 64,
      pattern: TAG_PATTERN,
      description: "A tag: [A-Za-z0-9][A-Za-z0-9_.:/@-]*, 1-64 characters.",
    },
    {
      $id: "ProviderName",
      type: "string",
      enum: [...settings.providers],
      description: "A configured provider.",
    },
    {
      $id: "GeneratedPrefix",
      type: "string",
      maxLength: MAX_PREFIX_LENGTH,
      pattern: PREFIX_PATTERN_TEXT,
      description: `Prefix of generated values: up to ${MAX_PREFIX_LENGTH} characters of A-Z a-z 0-9 _ . : -.`,
    },
  ];
}
