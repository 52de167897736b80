import { type ApiTokens, type Approvals, type Coffer, type NamingRule, runInReadContext } from "@coffer/core";
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from "fastify";
import { bearerAuthentication } from "./auth/bearer-auth.js";
import { registerCors } from "./http/cors.js";
import { clientErrors, frameworkErrors, registerErrorResponses } from "./http/error-responses.js";
import { createRateLimits } from "./http/rate-limits.js";
import { lazyRequestLogger } from "./http/request-logger.js";
import { approvalRoutes } from "./routes/approvals.js";
import { auditRoutes } from "./routes/audit.js";
import { dashboardRoutes } from "./routes/dashboard-ui.js";
import { healthRoute } from "./routes/health.js";
import { exportRoute, importRoute } from "./routes/import-export.js";
import { registerOpenApi } from "./routes/openapi.js";
import { providerRoutes } from "./routes/providers.js";
import { secretEntanglementRoute } from "./routes/secret-entanglement.js";
import { secretInspectRoute } from "./routes/secret-inspect.js";
import { secretReadRoutes } from "./routes/secret-reads.js";
import { secretWriteRoutes } from "./routes/secret-writes.js";
import type { ServerSettings } from "./server-settings.js";

/** Largest JSON body outside `/v1/import`: a 64 KiB value plus JSON escaping and attributes. */
export const JSON_BODY_LIMIT = 256 * 1024;

/** Log paths pino replaces with `[redacted]`. */
export const REDACTED_LOG_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  "req.headers['x-coffer-purpose']",
  "headers.authorization",
  "authorization",
  "token",
  "value",
  "body",
  "*.value",
  "*.body",
  "*.token",
  "req.body",
];

/** What {@link buildApp} needs. */
export interface AppOptions {
  /** The service (its accessor is replaced per request by the token's). */
  coffer: Coffer;
  /** API tokens over the service's documents. */
  tokens: ApiTokens;
  /** Approval requests (`GET /v1/approvals`), from `openCoffer`. @default none: the route answers 503 */
  approvals?: Approvals;
  /** The `server` config section, validated. */
  settings: ServerSettings;
  /** Version shown in the OpenAPI document. */
  version: string;
  /** Fastify logger option. @default false (no logging) */
  logger?: FastifyServerOptions["logger"];
  /** Log a line per request (method, URL, status, time) besides refusals and failures. @default false */
  logRequests?: boolean;
  /** HTTPS options (`cert`, `key`); absent: plain HTTP. */
  https?: { cert: Buffer; key: Buffer };
  /** Static assets of the /docs page. @default @fastify/swagger-ui's own */
  docsAssetsDir?: string;
  /**
   * Whether the store keeping tokens and audit answers (`GET /readyz`): the local store, or the
   * PostgreSQL store shared by every replica. @default always ready
   */
  readiness?: () => Promise<{ ok: boolean; message?: string }>;
  /**
   * Look once per `/v1` request whether a store shared with other replicas changed (the
   * PostgreSQL store's change counter), so what was derived from it (verified tokens) is kept
   * exactly while it is unchanged. @default none (a local store checks by itself)
   */
  refreshStore?: () => Promise<void>;
  /** Built web dashboard served at `/ui/` (its `index.html` and `assets/`). @default none: no `/ui` routes */
  dashboardDir?: string;
  /** Naming rule of the configuration (the secret name pattern of the schemas). @default "default" */
  naming?: NamingRule;
}

/** Build the Fastify application serving the Coffer REST API (not listening yet). */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    ...(options.https ? { https: options.https } : {}),
    bodyLimit: JSON_BODY_LIMIT,
    // Bodies are never coerced (a number is not a string) and unknown fields are errors, not dropped.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false } },
    frameworkErrors,
    // Errors Node's HTTP parser raises before Fastify sees a request (431, 400, 408) are
    // problem documents too.
    clientErrorHandler: clientErrors,
    return503OnClosing: true,
    // Refusals and failures are always logged (see sendProblem); a line per request only on demand.
    logController: new LogController({ disableRequestLogging: options.logRequests !== true }),
    // No implicit HEAD twins of GET routes (a HEAD reveal would audit a read nobody sees).
    exposeHeadRoutes: false,
    // No trailing-slash or case games: one URL per resource.
    routerOptions: { ignoreTrailingSlash: false, caseSensitive: true, maxParamLength: 1024 },
    // A request's child logger (with its id) is made only when the request logs a line.
    childLoggerFactory: lazyRequestLogger,
  }) as unknown as FastifyInstance;
  app.decorateRequest("apiToken", null);
  app.decorateRequest("tokenCoffer", null);
  registerErrorResponses(app);

  const limits = createRateLimits(options.settings.rateLimit);
  // Callback-style hooks: the request path awaits no promise it does not need.
  app.addHook("onRequest", (req, reply, done) => {
    reply.header("x-content-type-options", "nosniff");
    try {
      limits.checkAddress(req);
    } catch (err) {
      done(err as Error);
      return;
    }
    // The rest of the request is one operation: the store looks for other processes' commits
    // once (when the request first reads), not before each of its reads.
    runInReadContext(done);
  });
  registerCors(app, options.settings.corsOrigins);

  await registerOpenApi(app, {
    version: options.version,
    rules: {
      ...(options.naming ? { naming: options.naming } : {}),
      providers: options.coffer.providers().map((provider) => provider.name),
    },
    ...(options.docsAssetsDir ? { assetsDir: options.docsAssetsDir } : {}),
  });
  await app.register(healthRoute, options.readiness ? { readiness: options.readiness } : {});
  if (options.dashboardDir !== undefined) await app.register(dashboardRoutes, { dir: options.dashboardDir });
  await app.register(async (v1) => {
    const refreshStore = options.refreshStore;
    if (refreshStore) v1.addHook("onRequest", async () => refreshStore());
    v1.addHook("onRequest", bearerAuthentication(options.coffer, options.tokens, limits));
    await v1.register(secretReadRoutes);
    await v1.register(secretInspectRoute);
    await v1.register(secretEntanglementRoute);
    await v1.register(secretWriteRoutes);
    await v1.register(importRoute);
    await v1.register(exportRoute);
    await v1.register(auditRoutes);
    await v1.register(approvalRoutes, options.approvals ? { approvals: options.approvals } : {});
    await v1.register(providerRoutes);
  });
  return app;
}
