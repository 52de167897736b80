/** A credential-shaped string found without knowing the value. Never the text itself. */
export interface GenericHit {
  /** Rule that matched (`aws-access-key-id`, `private-key`, `high-entropy`...). */
  rule: string;
  /** 1-based line. */
  line: number;
  /** 1-based column (UTF-16 code units). */
  column: number;
  /** Length of the match, in UTF-16 code units. */
  length: number;
}

/** Well-known credential formats. */
export const GENERIC_RULES: ReadonlyArray<{ id: string; description: string; pattern: RegExp }> = [
  { id: "aws-access-key-id", description: "AWS access key id", pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  {
    id: "github-token",
    description: "GitHub token",
    pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b/g,
  },
  { id: "gitlab-token", description: "GitLab personal access token", pattern: /\bglpat-[A-Za-z0-9_-]{20,}\b/g },
  { id: "slack-token", description: "Slack token", pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g },
  {
    id: "stripe-key",
    description: "Stripe secret or restricted key",
    pattern: /\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}\b/g,
  },
  { id: "openai-key", description: "OpenAI API key", pattern: /\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}\b/g },
  { id: "anthropic-key", description: "Anthropic API key", pattern: /\bsk-ant-[A-Za-z0-9_-]{20,}\b/g },
  { id: "google-api-key", description: "Google API key", pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  { id: "npm-token", description: "npm access token", pattern: /\bnpm_[A-Za-z0-9]{36}\b/g },
  { id: "private-key", description: "PEM private key", pattern: /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/g },
];

/** Candidate tokens for the entropy check: long runs of base64/hex/url-safe characters. */
const TOKEN = /[A-Za-z0-9+/=_-]{24,}/g;

/** Shannon entropy in bits per character. */
export function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    h -= p * Math.log2(p);
  }
  return h;
}

function isHighEntropy(token: string): boolean {
  if (/^[0-9a-f]+$/i.test(token)) return token.length >= 32 && shannonEntropy(token) >= 3.5;
  // Mixed classes and high entropy: not a word, a path or a repeated pattern.
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((r) => r.test(token)).length;
  return classes >= 3 && shannonEntropy(token) >= 4.2;
}

/**
 * Credential-shaped strings of a text: the {@link GENERIC_RULES} formats and long
 * high-entropy tokens. Heuristic: it finds keys Coffer does not hold, and some things that are
 * not keys.
 */
export function findGenericSecrets(text: string): GenericHit[] {
  const hits: GenericHit[] = [];
  const lineStarts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lineStarts.push(i + 1);
  const position = (offset: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - lineStarts[lo]! + 1 };
  };
  const covered: Array<[number, number]> = [];
  for (const rule of GENERIC_RULES) {
    for (const m of text.matchAll(rule.pattern)) {
      covered.push([m.index, m.index + m[0].length]);
      hits.push({ rule: rule.id, ...position(m.index), length: m[0].length });
    }
  }
  for (const m of text.matchAll(TOKEN)) {
    const start = m.index;
    const end = start + m[0].length;
    if (covered.some(([a, b]) => start < b && a < end)) continue;
    if (isHighEntropy(m[0])) hits.push({ rule: "high-entropy", ...position(start), length: m[0].length });
  }
  return hits.sort((a, b) => a.line - b.line || a.column - b.column);
}
