export {
  awsErrorAnswer,
  azureErrorAnswer,
  type Fault,
  type FaultProxy,
  type FaultProxyOptions,
  type RequestMatch,
  type SeenRequest,
  startFaultProxy,
} from "./fault-proxy.js";
export { freePort } from "./free-port.js";
export { type ListeningProcess, type StartListeningOptions, startListeningProcess } from "./listening-process.js";
export * from "./lowkey-vault.js";
export { type ConnectMcpStdioOptions, connectMcpStdio, type McpStdioConnection } from "./mcp-stdio-client.js";
export * from "./module-load-probe.js";
export {
  isCi,
  MOTO_COMMAND,
  type MotoServer,
  motoUnavailableReason,
  type StartMotoOptions,
  startMoto,
} from "./moto.js";
export {
  POSTGRES_BINDIR_ENV,
  type PostgresServer,
  postgresBindir,
  postgresUnavailableReason,
  type StartPostgresOptions,
  startPostgres,
} from "./postgres.js";
export { findExecutable, type StartedProcess, type StartProcessOptions, startProcess } from "./process.js";
