import { isCofferError } from "@coffer/core";
import { HELP_TEXT, parseServerArguments } from "./server-arguments.js";
import { startServer } from "./start-server.js";
import { SERVER_VERSION } from "./version.js";

/** Exit codes of coffer-server. */
const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parseServerArguments>;
  try {
    args = parseServerArguments(argv);
  } catch (err) {
    process.stderr.write(`coffer-server: ${isCofferError(err) ? err.message : "invalid arguments"}\n`);
    return EXIT.usage;
  }
  if (args.help) {
    process.stdout.write(`${HELP_TEXT}\n`);
    return EXIT.ok;
  }
  if (args.version) {
    process.stdout.write(`${SERVER_VERSION}\n`);
    return EXIT.ok;
  }
  // Signal handlers go in before listening: a supervisor may signal as soon as the port answers.
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    if (!server) return; // still starting: exits right after start (below)
    server.app.log.info({ signal }, "shutting down");
    server.close().then(
      () => process.exit(EXIT.ok),
      () => process.exit(EXIT.failure),
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  server = await startServer(args);
  process.on("unhandledRejection", (reason) => {
    server?.app.log.error({ errorType: reason instanceof Error ? reason.name : typeof reason }, "unhandled rejection");
  });
  if (stopping) {
    stopping = false;
    stop("SIGTERM");
  }
  return -1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    const message = isCofferError(err)
      ? `${err.message}${typeof err.details.hint === "string" ? ` (${err.details.hint})` : ""}`
      : `unexpected error (${err instanceof Error ? err.name : typeof err})`;
    process.stderr.write(`coffer-server: ${message}\n`);
    process.exitCode = EXIT.failure;
  },
);
