import type { ToolDefinition } from "../tool-definition.js";
import type { ToolName } from "../tool-selection.js";
import { agentScanTool } from "./agent-scan.js";
import { approvalStatusTool } from "./approval-status.js";
import { auditLogTool } from "./audit-log.js";
import { deleteSecretTool } from "./delete-secret.js";
import { detectEnvironmentTool } from "./detect-environment.js";
import { disentangleSecretsTool } from "./disentangle-secrets.js";
import { entangleSecretsTool } from "./entangle-secrets.js";
import { execWithSecretsTool } from "./exec-with-secrets.js";
import { exportSecretsTool } from "./export-secrets.js";
import { generateSecretTool } from "./generate-secret.js";
import { getSecretTool } from "./get-secret.js";
import { hasSecretTool } from "./has-secret.js";
import { healthCheckTool } from "./health-check.js";
import { importDotenvTool } from "./import-dotenv.js";
import { inspectSecretTool } from "./inspect-secret.js";
import { listHooksTool } from "./list-hooks.js";
import { listSecretsTool } from "./list-secrets.js";
import { registerHookTool } from "./register-hook.js";
import { removeHookTool } from "./remove-hook.js";
import { restoreSecretTool } from "./restore-secret.js";
import { rotateSecretTool } from "./rotate-secret.js";
import { setSecretTool } from "./set-secret.js";
import { vaultSecretTool } from "./vault-secret.js";

/** Every tool definition by name. */
export const TOOL_DEFINITIONS: Record<ToolName, ToolDefinition> = {
  set_secret: setSecretTool,
  get_secret: getSecretTool,
  list_secrets: listSecretsTool,
  has_secret: hasSecretTool,
  inspect_secret: inspectSecretTool,
  delete_secret: deleteSecretTool,
  restore_secret: restoreSecretTool,
  rotate_secret: rotateSecretTool,
  generate_secret: generateSecretTool,
  exec_with_secrets: execWithSecretsTool,
  import_dotenv: importDotenvTool,
  export_secrets: exportSecretsTool,
  entangle_secrets: entangleSecretsTool,
  disentangle_secrets: disentangleSecretsTool,
  detect_environment: detectEnvironmentTool,
  audit_log: auditLogTool,
  health_check: healthCheckTool,
  vault_secret: vaultSecretTool,
  list_hooks: listHooksTool,
  register_hook: registerHookTool,
  remove_hook: removeHookTool,
  agent_scan: agentScanTool,
  approval_status: approvalStatusTool,
};
