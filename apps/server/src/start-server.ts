import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { apiTokens, CofferError } from "@coffer/core";
import { defaultAccessor, openCoffer } from "@coffer/runtime";
import type { FastifyInstance } from "fastify";
import { buildApp, REDACTED_LOG_PATHS } from "./app.js";
import { pathOf } from "./http/error-responses.js";
import type { ServerArguments } from "./server-arguments.js";
import { readServerSettings } from "./server-settings.js";
import { SERVER_VERSION } from "./version.js";

/** A running server. */
export interface RunningServer {
  /** The Fastify application. */
  app: FastifyInstance;
  /** Base URL it listens on. */
  url: string;
  /** Stop listening and close every provider. */
  close(): Promise<void>;
}

/**
 * Open the service from config (like the CLI), build the app and listen.
 * @throws CofferError CONFIG (bad config, no local store for tokens, unreadable TLS files), UNAVAILABLE (cannot listen)
 */
export async function startServer(args: ServerArguments, env: NodeJS.ProcessEnv = process.env): Promise<RunningServer> {
  const opened = await openCoffer({ accessor: defaultAccessor("rest"), env });
  const { coffer, loaded, documents } = opened;
  try {
    if (!documents) {
      throw new CofferError(
        "CONFIG",
        "coffer-server needs a store for API tokens: the local provider or a postgres provider",
        {
          hint: "enable providers.local, or configure providers.postgres (docs/team-server.md)",
        },
      );
    }
    const settings = readServerSettings(loaded.config.server);
    const https =
      args.tlsCert && args.tlsKey
        ? { cert: readPem(args.tlsCert, "--tls-cert"), key: readPem(args.tlsKey, "--tls-key") }
        : undefined;
    const app = await buildApp({
      coffer,
      tokens: apiTokens(documents),
      ...(opened.approvals ? { approvals: opened.approvals } : {}),
      ...(opened.serviceStore?.health ? { readiness: () => opened.serviceStore!.health!() } : {}),
      ...(documents.refresh ? { refreshStore: () => documents.refresh!() } : {}),
      settings,
      naming: loaded.config.naming.rule,
      version: SERVER_VERSION,
      logger: {
        level: args.logLevel,
        redact: { paths: REDACTED_LOG_PATHS, censor: "[redacted]" },
        // Request lines (debug and trace) carry the path, never the query string.
        serializers: {
          req: (req: { method?: string; url?: string; ip?: string }) => ({
            method: req.method,
            path: pathOf(req.url ?? ""),
            remoteAddress: req.ip,
          }),
        },
      },
      logRequests: args.logLevel === "debug" || args.logLevel === "trace",
      ...(https ? { https } : {}),
      ...(bundledDocsAssets() ? { docsAssetsDir: bundledDocsAssets() } : {}),
      ...(bundledDashboard() ? { dashboardDir: bundledDashboard() } : {}),
    });
    app.addHook("onClose", async () => coffer.dispose());
    let url: string;
    try {
      url = await app.listen({ port: args.port ?? settings.port, host: args.host ?? settings.host });
    } catch (err) {
      await app.close().catch(() => undefined);
      const reason = typeof (err as { code?: unknown }).code === "string" ? (err as { code: string }).code : "error";
      throw new CofferError(
        "UNAVAILABLE",
        `cannot listen on ${args.host ?? settings.host}:${args.port ?? settings.port} (${reason})`,
      );
    }
    return { app, url, close: () => app.close() };
  } catch (err) {
    await coffer.dispose().catch(() => undefined);
    throw err;
  }
}

function readPem(file: string, flag: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const reason = typeof (err as { code?: unknown }).code === "string" ? (err as { code: string }).code : "unreadable";
    throw new CofferError("CONFIG", `${flag} ${JSON.stringify(file)} cannot be read (${reason})`, { field: flag });
  }
}

/** The /docs assets copied next to the bundled bin (`dist/static`), when running bundled. */
function bundledDocsAssets(): string | undefined {
  const dir = fileURLToPath(new URL("./static/", import.meta.url));
  return existsSync(`${dir}swagger-ui-bundle.js`) ? dir : undefined;
}

/** The web dashboard copied next to the bundled bin (`dist/ui`), when running bundled. */
function bundledDashboard(): string | undefined {
  const dir = fileURLToPath(new URL("./ui/", import.meta.url));
  return existsSync(`${dir}index.html`) ? dir : undefined;
}
