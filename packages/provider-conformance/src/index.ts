export { CONFORMANCE_CASE_NAMES, type ConformanceCaseName } from "./case-names.js";
export type { ConformanceOptions, ConformanceSubject, SeedEntry } from "./conformance-subject.js";
export { ConformanceViolation } from "./conformance-violation.js";
export { describeProviderConformance } from "./describe-provider-conformance.js";
