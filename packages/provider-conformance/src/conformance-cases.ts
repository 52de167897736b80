import { CONFORMANCE_CASE_NAMES, type ConformanceCaseName } from "./case-names.js";
import { binaryCase, metadataCase } from "./cases/attribute-cases.js";
import { capabilitiesCase, healthCase } from "./cases/capability-cases.js";
import { deleteCase, purgeCase, restoreCase, reuseCase } from "./cases/deletion-cases.js";
import { envsCase, scopesCase } from "./cases/isolation-cases.js";
import { listPagingCase } from "./cases/listing-cases.js";
import { getCurrentCase, getManyCase, getMissingCase, largeValueCase } from "./cases/reading-cases.js";
import {
  concurrencyCase,
  conditionalWriteCase,
  historyCase,
  readVersionCase,
  updateCase,
} from "./cases/versioning-cases.js";
import type { ConformanceCase } from "./conformance-case.js";

const byName: Record<ConformanceCaseName, ConformanceCase> = {
  capabilities: capabilitiesCase,
  "get-missing": getMissingCase,
  "get-current": getCurrentCase,
  update: updateCase,
  "read-version": readVersionCase,
  history: historyCase,
  "conditional-write": conditionalWriteCase,
  concurrency: concurrencyCase,
  delete: deleteCase,
  restore: restoreCase,
  purge: purgeCase,
  "reuse-deleted": reuseCase,
  "list-paging": listPagingCase,
  metadata: metadataCase,
  binary: binaryCase,
  envs: envsCase,
  scopes: scopesCase,
  "get-many": getManyCase,
  "large-value": largeValueCase,
  health: healthCase,
};

/** Every case of the suite, in running order. */
export const CONFORMANCE_CASES: readonly ConformanceCase[] = CONFORMANCE_CASE_NAMES.map((name) => byName[name]);

/** The case called `name`. */
export function conformanceCase(name: ConformanceCaseName): ConformanceCase {
  return byName[name];
}
