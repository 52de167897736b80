export {
  CofferError,
  ERROR_CODES,
  type ErrorCode,
  type ErrorDetails,
  isCofferError,
  type ProviderOutcome,
  toCofferError,
} from "./coffer-error.js";
