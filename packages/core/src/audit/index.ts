export {
  type Anomaly,
  type AnomalyOptions,
  DENIAL_CODES,
  detectAnomalies,
  READ_LIKE_ACTIONS,
} from "./audit-anomalies.js";
export { exportAuditJsonl } from "./audit-jsonl.js";
export {
  applyRetention,
  applyRetentionDaily,
  type DailyRetentionOptions,
  type DailyRetentionOutcome,
  MAX_RETENTION_DAYS,
  RETENTION_DOCUMENT,
  type RetentionOutcome,
} from "./audit-retention.js";
export {
  type Accessor,
  AUDIT_ACTIONS,
  type AuditAction,
  type AuditEntry,
  type AuditEntryInput,
  type AuditLog,
  type AuditQuery,
  type AuditVerification,
  type FrontEnd,
} from "./types.js";
