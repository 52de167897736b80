export {
  buildChildEnvironment,
  COFFER_CREDENTIAL_VARS,
  COFFER_CREDENTIAL_WORDS,
  isCofferCredentialVar,
} from "./child-environment.js";
export {
  DEFAULT_MAX_OUTPUT_BYTES,
  type ExecWithSecretsOptions,
  type ExecWithSecretsResult,
  execWithSecrets,
  KILL_GRACE_MS,
  shellExitStatus,
} from "./exec-with-secrets.js";
