/** Log levels, most severe first. */
export const LOG_LEVELS = ["error", "warn", "info", "debug"] as const;
/** One log level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Logs to stderr only (stdout carries the MCP protocol in stdio mode). Callers pass fixed texts,
 * names and codes, never values or arguments.
 */
export interface StderrLog {
  /** Failures the operator must see. */
  error(message: string): void;
  /** Problems that do not stop the server. */
  warn(message: string): void;
  /** Start and stop. */
  info(message: string): void;
  /** Per-call outcomes (tool name, code, duration). */
  debug(message: string): void;
}

/** A stderr logger printing messages at `level` and more severe. @default level "info" */
export function createStderrLog(level: LogLevel = "info"): StderrLog {
  const threshold = LOG_LEVELS.indexOf(level);
  const at = (l: LogLevel) => (message: string) => {
    if (LOG_LEVELS.indexOf(l) <= threshold) process.stderr.write(`coffer-mcp ${l}: ${message}\n`);
  };
  return { error: at("error"), warn: at("warn"), info: at("info"), debug: at("debug") };
}
