import { CofferError, NUMERIC_RANGES } from "@coffer/core";

/** Command-line options of coffer-server. */
export interface ServerArguments {
  /** `--port`: overrides `server.port`. */
  port?: number;
  /** `--host`: overrides `server.host`. */
  host?: string;
  /** `--tls-cert`: PEM certificate file (with `--tls-key`: serve HTTPS). */
  tlsCert?: string;
  /** `--tls-key`: PEM private key file. */
  tlsKey?: string;
  /** `--log-level`. @default "info" */
  logLevel: string;
  /** `--help`. */
  help: boolean;
  /** `--version`. */
  version: boolean;
}

/** Log levels accepted by `--log-level`. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** Text of `coffer-server --help`. */
export const HELP_TEXT = `Usage: coffer-server [options]

Serve the Coffer REST API (same config and providers as the coffer CLI).
Every /v1 route needs "Authorization: Bearer <token>"; create tokens with
"coffer token create --name <name> --scopes <scopes>".

Options:
  --port <n>          Port to listen on (default: server.port, else 8787; 0 picks a free port)
  --host <address>    Address to bind (default: server.host, else 127.0.0.1)
  --tls-cert <file>   PEM certificate: serve HTTPS (needs --tls-key)
  --tls-key <file>    PEM private key for --tls-cert
  --log-level <lvl>   fatal, error, warn, info, debug, trace or silent (default: info);
                      debug and trace also log a line per request
  --version           Print the version and exit
  --help              Print this help and exit

Routes: /v1/... (API), /openapi.json (OpenAPI 3.1), /docs (reference), /healthz (liveness).
Environment: COFFER_HOME, COFFER_ENV, COFFER_MASTER_KEY as for the coffer CLI.`;

/**
 * Parse the command line (`--flag value` or `--flag=value`).
 * @throws CofferError INVALID_ARGUMENT for unknown flags, missing or bad values
 */
export function parseServerArguments(argv: readonly string[]): ServerArguments {
  const out: ServerArguments = { logLevel: "info", help: false, version: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const takeValue = (): string => {
      if (eq > 0) return arg.slice(eq + 1);
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) throw usage(`${flag} needs a value`);
      i++;
      return next;
    };
    switch (flag) {
      case "--help":
      case "-h":
        out.help = true;
        break;
      case "--version":
      case "-v":
        out.version = true;
        break;
      case "--port": {
        const text = takeValue();
        const { min, max } = NUMERIC_RANGES.port;
        const port = /^[0-9]{1,5}$/.test(text) ? Number(text) : Number.NaN;
        if (!(port >= min && port <= max))
          throw usage(`--port must be a number from ${min} to ${max}, got ${JSON.stringify(text)}`);
        out.port = port;
        break;
      }
      case "--host": {
        const host = takeValue();
        if (host.length === 0) throw usage("--host must not be empty");
        out.host = host;
        break;
      }
      case "--tls-cert":
        out.tlsCert = takeValue();
        break;
      case "--tls-key":
        out.tlsKey = takeValue();
        break;
      case "--log-level": {
        const level = takeValue();
        if (!(LOG_LEVELS as readonly string[]).includes(level))
          throw usage(`--log-level must be one of ${LOG_LEVELS.join(", ")}`);
        out.logLevel = level;
        break;
      }
      default:
        throw usage(`unknown option ${JSON.stringify(arg.slice(0, 64))} (see --help)`);
    }
  }
  if ((out.tlsCert === undefined) !== (out.tlsKey === undefined)) throw usage("--tls-cert and --tls-key go together");
  return out;
}

function usage(message: string): CofferError {
  return new CofferError("INVALID_ARGUMENT", message);
}
