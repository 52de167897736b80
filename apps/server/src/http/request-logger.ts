import type { FastifyBaseLogger } from "fastify";

type Level = "fatal" | "error" | "warn" | "info" | "debug" | "trace";
type Bindings = Record<string, unknown>;
type LogArgs = Parameters<FastifyBaseLogger["info"]>;

/** pino's level numbers (the server's logger is pino, without custom levels). */
const LEVEL_VALUES: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

/** Whether `logger` writes lines of `level` (an unknown level is assumed to write). */
function writes(logger: FastifyBaseLogger, level: string): boolean {
  if (logger.level === "silent") return false;
  const threshold = LEVEL_VALUES[logger.level];
  const wanted = LEVEL_VALUES[level];
  return threshold === undefined || wanted === undefined || wanted >= threshold;
}

/**
 * A request's logger that becomes a real child logger (with the request id) only when the
 * request logs a line at an enabled level. Most requests log nothing (request lines are off
 * below `debug`), and building a redacting child logger for each of them is a measurable part
 * of serving a read.
 */
class LazyRequestLogger {
  readonly #parent: FastifyBaseLogger;
  readonly #bindings: Bindings;
  readonly #options: object;
  #real: FastifyBaseLogger | undefined;

  constructor(parent: FastifyBaseLogger, bindings: Bindings, options: object) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  #logger(): FastifyBaseLogger {
    this.#real ??= this.#parent.child(this.#bindings, this.#options);
    return this.#real;
  }

  #log(level: Level, args: LogArgs): void {
    if (this.#real === undefined && !writes(this.#parent, level)) return;
    (this.#logger()[level] as (...a: LogArgs) => void)(...args);
  }

  get level(): string {
    return this.#real?.level ?? this.#parent.level;
  }

  set level(level: string) {
    this.#logger().level = level;
  }

  isLevelEnabled(level: string): boolean {
    return writes(this.#real ?? this.#parent, level);
  }

  fatal(...args: LogArgs): void {
    this.#log("fatal", args);
  }
  error(...args: LogArgs): void {
    this.#log("error", args);
  }
  warn(...args: LogArgs): void {
    this.#log("warn", args);
  }
  info(...args: LogArgs): void {
    this.#log("info", args);
  }
  debug(...args: LogArgs): void {
    this.#log("debug", args);
  }
  trace(...args: LogArgs): void {
    this.#log("trace", args);
  }
  silent(): void {}

  child(bindings: Bindings, options?: object): FastifyBaseLogger {
    return this.#logger().child(bindings, options);
  }
}

/** Fastify's `childLoggerFactory`: the per-request logger is created on its first line. */
export function lazyRequestLogger(logger: FastifyBaseLogger, bindings: Bindings, options: object): FastifyBaseLogger {
  return new LazyRequestLogger(logger, bindings, options) as unknown as FastifyBaseLogger;
}
