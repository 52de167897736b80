import { statSync } from "node:fs";
import { join, resolve } from "node:path";
import { type ErrorCode, isCofferError } from "@coffer/core";
import type { CommandContext } from "../cli/command-context.js";
import type { CommandHandler } from "../cli/command-spec.js";
import { exitCodeFor } from "../cli/exit-codes.js";

/** One check of `coffer doctor`. */
interface Check {
  /** What was checked. */
  name: string;
  /** ok, warn (works, but should be fixed), fail. */
  status: "ok" | "warn" | "fail";
  /** Finding. */
  message: string;
  /** Error code category of a failure (decides the exit code). */
  code?: ErrorCode;
}

function modeOf(path: string): number | undefined {
  try {
    return statSync(path).mode & 0o777;
  } catch {
    return undefined;
  }
}

function line(ctx: CommandContext, c: Check): string {
  const mark =
    c.status === "ok" ? ctx.style.green("✓") : c.status === "warn" ? ctx.style.yellow("⚠") : ctx.style.red("✗");
  return `${mark} ${c.name}: ${c.message}`;
}

async function attempt(
  checks: Check[],
  name: string,
  code: ErrorCode,
  run: () => Promise<Check | Check[]>,
): Promise<void> {
  try {
    const result = await run();
    checks.push(...(Array.isArray(result) ? result : [result]));
  } catch (err) {
    checks.push({
      name,
      status: "fail",
      message: isCofferError(err) ? err.message : "check failed unexpectedly",
      code: isCofferError(err) ? err.code : code,
    });
  }
}

/** `coffer doctor`: configuration, home and key file permissions, store integrity, providers, audit chain. */
export const doctorCommand: CommandHandler = async (ctx) => {
  const checks: Check[] = [];
  let session: Awaited<ReturnType<CommandContext["session"]>> | undefined;
  try {
    session = await ctx.session();
    const files = session.loaded.files;
    checks.push({
      name: "config",
      status: "ok",
      message: files.length > 0 ? `loaded ${files.join(", ")}` : "defaults (no config file; coffer init writes one)",
    });
  } catch (err) {
    // A store found tampered with as a whole (its commitment edited, or rolled back) fails opening.
    const integrity = isCofferError(err, "INTEGRITY");
    checks.push({
      name: integrity ? "store" : "config",
      status: "fail",
      message: isCofferError(err) ? err.message : "cannot load the configuration",
      code: integrity ? "INTEGRITY" : "CONFIG",
    });
  }
  if (session) {
    const { loaded, local } = session;
    const homeMode = modeOf(loaded.home);
    if (homeMode === undefined)
      checks.push({ name: "home", status: "ok", message: `${loaded.home} (created on first write)` });
    else if ((homeMode & 0o077) !== 0) {
      checks.push({
        name: "home",
        status: "warn",
        message: `${loaded.home} is accessible by other users (mode ${homeMode.toString(8)}); run: chmod 700 ${loaded.home}`,
      });
    } else checks.push({ name: "home", status: "ok", message: `${loaded.home} (mode ${homeMode.toString(8)})` });

    if (local) {
      const options = (loaded.config.providers[local.name] ?? {}) as Record<string, unknown>;
      if (ctx.env.COFFER_MASTER_KEY !== undefined || options.masterKey !== undefined) {
        checks.push({
          name: "master key",
          status: "ok",
          message: `from ${options.masterKey !== undefined ? "the configuration" : "COFFER_MASTER_KEY"}`,
        });
      } else {
        const keyFile =
          typeof options.keyFile === "string" ? resolve(options.keyFile) : join(loaded.home, "master.key");
        const mode = modeOf(keyFile);
        if (mode === undefined)
          checks.push({ name: "key file", status: "ok", message: `${keyFile} (created on first write)` });
        else if ((mode & 0o077) !== 0) {
          checks.push({
            name: "key file",
            status: "fail",
            message: `${keyFile} is accessible by other users (mode ${mode.toString(8)}); run: chmod 600 ${keyFile}`,
            code: "CONFIG",
          });
        } else checks.push({ name: "key file", status: "ok", message: `${keyFile} (mode ${mode.toString(8)})` });
      }
      await attempt(checks, "store", "INTEGRITY", async () => {
        const report = await local.verifyIntegrity();
        if (report.ok)
          return { name: "store", status: "ok", message: `${local.storePath}: ${report.checked} items verified` };
        return report.problems.map((p) => ({
          name: "store",
          status: "fail" as const,
          message: p,
          code: "INTEGRITY" as const,
        }));
      });
    } else {
      checks.push({
        name: "store",
        status: "warn",
        message: "no local store configured (no audit log, tokens or master key)",
      });
    }

    await attempt(checks, "providers", "UNAVAILABLE", async () => {
      const health = await session!.coffer.health();
      const out: Check[] = health.providers.map((p) => ({
        name: `provider ${p.name}`,
        status: p.ok ? ("ok" as const) : ("fail" as const),
        message: `${p.ok ? "healthy" : (p.message ?? "not healthy")} (priority ${p.priority}${p.isDefault ? ", default" : ""}${p.latencyMs !== undefined ? `, ${Math.round(p.latencyMs)} ms` : ""})`,
        ...(p.ok ? {} : { code: "UNAVAILABLE" as const }),
      }));
      const due = health.expired.length + health.stale.length;
      if (due > 0)
        out.push({
          name: "secrets",
          status: "warn",
          message: `${health.expired.length} expired, ${health.stale.length} stale (coffer health lists them)`,
        });
      return out;
    });

    if (local) {
      await attempt(checks, "audit", "INTEGRITY", async () => {
        const v = await session!.coffer.verifyAudit();
        return v.ok
          ? { name: "audit", status: "ok", message: `hash chain intact (${v.checked} entries)` }
          : {
              name: "audit",
              status: "fail",
              message: `hash chain broken at entry #${v.brokenAt?.seq ?? "?"} (${v.brokenAt?.reason ?? "unknown"})${v.detail ? `: ${v.detail.split("\n")[0]}` : ""}`,
              code: "INTEGRITY",
            };
      });
    }
  }
  const failed = checks.filter((c) => c.status === "fail");
  const warned = checks.filter((c) => c.status === "warn");
  const lines = checks.map((c) => line(ctx, c));
  lines.push(
    "",
    failed.length === 0
      ? `No problems found${warned.length ? ` (${warned.length} warning${warned.length === 1 ? "" : "s"})` : ""}.`
      : `${failed.length} problem${failed.length === 1 ? "" : "s"} found.`,
  );
  return {
    data: { ok: failed.length === 0, checks },
    lines,
    exitCode: failed.length === 0 ? 0 : exitCodeFor(failed[0]!.code ?? "INTERNAL"),
  };
};
