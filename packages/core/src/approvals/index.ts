export {
  APPROVAL_STATUSES,
  APPROVALS_COLLECTION,
  type ApprovalListFilter,
  type ApprovalRequest,
  type ApprovalRequester,
  type ApprovalRequestInput,
  type ApprovalRequestOutcome,
  type ApprovalStatus,
  type ApprovalSubject,
  type Approvals,
  type ApproveOptions,
  type DenyApprovalOptions,
  type StoredApprovalStatus,
} from "./approval-request.js";
export { type ApprovalsOptions, approvals } from "./approval-store.js";
export {
  APPROVALS_CONFIG_KEYS,
  type ApprovalsConfig,
  DEFAULT_APPROVALS_CONFIG,
  mergeApprovalsConfigs,
  validateApprovalsConfig,
} from "./approvals-config.js";
