import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import type { FastifyInstance, FastifyReply } from "fastify";

/**
 * Content-Security-Policy of every `/ui` response: everything from this server, no inline
 * script or style, no framing, no plugins, forms never submit by themselves (a form without
 * JavaScript would put its fields in a URL), and DOM sinks only take trusted types.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
].join("; ");

/** Security headers of every `/ui` response besides the CSP. */
const DASHBOARD_HEADERS: Record<string, string> = {
  "content-security-policy": DASHBOARD_CSP,
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
};

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
};

/** One file of the dashboard, held in memory. */
interface DashboardFile {
  body: Buffer;
  contentType: string;
  /** Hashed build output (`assets/index-3f2a1b.js`): cacheable forever. */
  immutable: boolean;
}

/** Options of {@link dashboardRoutes}. */
export interface DashboardOptions {
  /** Directory of the built dashboard (`index.html` and `assets/`). */
  dir: string;
}

/** Every file under `dir`, keyed by its URL path relative to `/ui/` (`index.html`, `assets/x.js`). */
function readDashboardFiles(dir: string): Map<string, DashboardFile> {
  const files = new Map<string, DashboardFile>();
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && statSync(path).size <= 16 * 1024 * 1024) {
        const key = relative(dir, path).split(sep).join("/");
        files.set(key, {
          body: readFileSync(path),
          contentType: CONTENT_TYPES[extname(path)] ?? "application/octet-stream",
          immutable: key.startsWith("assets/"),
        });
      }
    }
  };
  walk(dir);
  return files;
}

/**
 * The web dashboard at `/ui/`: the files of a dashboard build, read once at startup and served
 * from memory (only those paths; nothing else on disk is reachable), each with a strict CSP.
 * Unknown paths under `/ui/` get the server's 404 problem.
 */
export async function dashboardRoutes(app: FastifyInstance, options: DashboardOptions): Promise<void> {
  const files = readDashboardFiles(options.dir);
  const send = (reply: FastifyReply, file: DashboardFile) => {
    for (const [name, value] of Object.entries(DASHBOARD_HEADERS)) reply.header(name, value);
    reply.header("cache-control", file.immutable ? "public, max-age=31536000, immutable" : "no-cache");
    return reply.type(file.contentType).send(file.body);
  };

  // GET and HEAD (a HEAD answers the same headers without the body; Node drops it).
  app.route({
    method: ["GET", "HEAD"],
    url: "/ui",
    schema: { hide: true },
    handler: async (_req, reply) => {
      for (const [name, value] of Object.entries(DASHBOARD_HEADERS)) reply.header(name, value);
      return reply.redirect("/ui/", 308);
    },
  });
  app.route<{ Params: { "*": string } }>({
    method: ["GET", "HEAD"],
    url: "/ui/*",
    schema: { hide: true },
    handler: async (req, reply) => {
      const path = req.params["*"] === "" ? "index.html" : req.params["*"];
      const file = files.get(path);
      if (!file) {
        for (const [name, value] of Object.entries(DASHBOARD_HEADERS)) reply.header(name, value);
        return reply.callNotFound();
      }
      return send(reply, file);
    },
  });
}
