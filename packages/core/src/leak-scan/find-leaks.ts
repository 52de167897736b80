import { findGenericSecrets, GENERIC_RULES } from "./generic-detectors.js";
import { forEachHistoryTarget, forEachStagedTarget, type ScanTarget, worktreeTargets } from "./scan-sources.js";
import type { ValueScanner } from "./value-scanner.js";

/** Rule id of a stored value found. */
export const STORED_SECRET_RULE = "coffer-stored-secret";

/** One leak: where, and which secret (or which rule), never the value. */
export interface LeakFinding {
  /** `coffer-stored-secret`, or the generic rule that matched. */
  rule: string;
  /** Where the content is: a working-tree file, the git index, or git history. */
  source: ScanTarget["source"];
  /** Path (relative to the scan root or the repository), `/`-separated. */
  file: string;
  /** Commit that introduced the content (history). */
  commit?: string;
  /** 1-based line. */
  line: number;
  /** 1-based column (UTF-16 code units). */
  column: number;
  /** Secret name (stored values). */
  secret?: string;
  /** Every secret holding that value, when more than one. */
  alsoNames?: string[];
  /** Scope label of the secret. */
  scope?: string;
  /** Env state of the secret. */
  env?: string;
  /** Version of the secret whose value it is. */
  version?: number;
}

/** What to scan. */
export interface FindLeaksOptions {
  /** Directory paths are relative to (and git commands run in). */
  root: string;
  /** Files and directories of the working tree. @default ["."] when no git source is chosen */
  paths?: string[];
  /** Scan the git index (staged content). @default false */
  staged?: boolean;
  /** Scan every file content in git history (all refs). @default false */
  history?: boolean;
  /** Also report common key formats and high-entropy strings. @default false */
  generic?: boolean;
}

/** Result of {@link findLeaks}. */
export interface LeakReport {
  /** Findings in scan order. */
  findings: LeakFinding[];
  /** Files or blobs scanned. */
  targets: number;
  /** Bytes scanned. */
  bytes: number;
}

/** Largest content the generic detectors read as text. */
const GENERIC_MAX_BYTES = 8 * 1024 * 1024;

function looksBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, 8000).includes(0);
}

/**
 * Look for stored values (and, with `generic`, credential-shaped strings) in working-tree
 * files, the git index and git history. Values are only in `scanner`; findings name the secret.
 * @throws CofferError NOT_FOUND for a missing path; INVALID_ARGUMENT for git sources outside a repository
 */
export async function findLeaks(scanner: ValueScanner, options: FindLeaksOptions): Promise<LeakReport> {
  const report: LeakReport = { findings: [], targets: 0, bytes: 0 };
  const scanTarget = async (t: ScanTarget) => {
    report.targets++;
    report.bytes += t.size;
    const place = { source: t.source, file: t.path, ...(t.commit ? { commit: t.commit } : {}) };
    for (const hit of await scanner.scan(t.chunks())) {
      report.findings.push({
        rule: STORED_SECRET_RULE,
        ...place,
        line: hit.line,
        column: hit.column,
        secret: hit.names[0]!,
        ...(hit.names.length > 1 ? { alsoNames: hit.names.slice(1) } : {}),
        scope: hit.scope,
        ...(hit.env !== undefined ? { env: hit.env } : {}),
        version: hit.version,
      });
    }
    if (options.generic && t.size <= GENERIC_MAX_BYTES) {
      const parts: Uint8Array[] = [];
      for await (const c of t.chunks()) parts.push(c);
      const bytes = Buffer.concat(parts);
      if (!looksBinary(bytes)) {
        for (const g of findGenericSecrets(bytes.toString("utf8"))) {
          report.findings.push({ rule: g.rule, ...place, line: g.line, column: g.column });
        }
      }
    }
  };
  const worktree =
    options.paths !== undefined && options.paths.length > 0
      ? options.paths
      : !options.staged && !options.history
        ? ["."]
        : [];
  for (const t of worktreeTargets(options.root, worktree)) await scanTarget(t);
  if (options.staged) await forEachStagedTarget(options.root, scanTarget);
  if (options.history) await forEachHistoryTarget(options.root, scanTarget);
  return report;
}

/** Description of each rule, for reports. */
export function leakRuleDescription(rule: string): string {
  if (rule === STORED_SECRET_RULE) return "A value stored in Coffer appears in this file";
  if (rule === "high-entropy") return "A long high-entropy string that may be a credential";
  return GENERIC_RULES.find((r) => r.id === rule)?.description ?? rule;
}
