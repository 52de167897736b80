export { type CollectedValues, collectScanValues } from "./collect-values.js";
export {
  type FindLeaksOptions,
  findLeaks,
  type LeakFinding,
  type LeakReport,
  leakRuleDescription,
  STORED_SECRET_RULE,
} from "./find-leaks.js";
export { findGenericSecrets, GENERIC_RULES, type GenericHit, shannonEntropy } from "./generic-detectors.js";
export { leakMessage, toSarif } from "./sarif.js";
export { repositoryRoot, type ScanTarget } from "./scan-sources.js";
export { MIN_SCANNED_VALUE_LENGTH, type ScannedValue, type ValueHit, ValueScanner } from "./value-scanner.js";
