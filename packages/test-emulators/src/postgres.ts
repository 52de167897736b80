import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { freePort } from "./free-port.js";
import { isCi } from "./moto.js";
import { findExecutable, type StartedProcess, startProcess } from "./process.js";

/** Environment variable naming a directory holding `initdb` and `postgres`, instead of `pg_config --bindir`. */
export const POSTGRES_BINDIR_ENV = "COFFER_PG_BINDIR";

/** The system user PostgreSQL runs as when the tests run as root (it refuses to run as root). */
const POSTGRES_SYSTEM_USER = "postgres";

/** A running PostgreSQL on 127.0.0.1, in a temporary directory of its own. */
export interface PostgresServer {
  /** `postgres://coffer:<password>@127.0.0.1:<port>/coffer`: the superuser `coffer`, password authentication. */
  readonly connectionString: string;
  /** 127.0.0.1. */
  readonly host: string;
  /** TCP port. */
  readonly port: number;
  /** Superuser name (`coffer`). */
  readonly user: string;
  /** Its password (random per server). */
  readonly password: string;
  /** Database created at start (`coffer`). */
  readonly database: string;
  /** Directory of the PostgreSQL binaries used. */
  readonly bindir: string;
  /** Temporary directory holding the data directory and the unix socket (removed by {@link stop}). */
  readonly directory: string;
  /** Connection string of another database on this server (see {@link createDatabase}). */
  connectionStringFor(database: string): string;
  /** Create a fresh, empty database and return its connection string. */
  createDatabase(name: string): Promise<string>;
  /** Everything `pg_dump` prints for one database (plain SQL, data included). */
  dump(database?: string): string;
  /** Stop PostgreSQL (fast shutdown), keeping its data; {@link start} brings it back on the same port. */
  pause(): Promise<void>;
  /** Start it again after {@link pause}. */
  start(): Promise<void>;
  /** Everything PostgreSQL wrote so far. */
  logs(): string;
  /** Stop PostgreSQL and remove its directory. Idempotent. */
  stop(): Promise<void>;
}

/** Options of {@link startPostgres}. */
export interface StartPostgresOptions {
  /** Directory of `initdb` and `postgres`. @default `$COFFER_PG_BINDIR`, else `pg_config --bindir`, else Debian's /usr/lib/postgresql/<newest>/bin */
  bindir?: string;
  /** Give up when PostgreSQL does not accept connections within this long. @default 60000 */
  timeoutMs?: number;
}

function runsAsRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/** uid and gid of the `postgres` system user, or undefined when there is none. */
function postgresUser(): { uid: number; gid: number } | undefined {
  const uid = spawnSync("id", ["-u", POSTGRES_SYSTEM_USER], { encoding: "utf8" });
  const gid = spawnSync("id", ["-g", POSTGRES_SYSTEM_USER], { encoding: "utf8" });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function hasServerBinaries(dir: string): boolean {
  return existsSync(join(dir, "initdb")) && existsSync(join(dir, "postgres")) && existsSync(join(dir, "pg_dump"));
}

/** Where the PostgreSQL server binaries are, or undefined when none are installed. */
export function postgresBindir(): string | undefined {
  const fromEnv = process.env[POSTGRES_BINDIR_ENV];
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  if (findExecutable("pg_config") !== undefined) {
    const run = spawnSync("pg_config", ["--bindir"], { encoding: "utf8" });
    const dir = run.status === 0 ? run.stdout.trim() : "";
    if (dir !== "" && hasServerBinaries(dir)) return dir;
  }
  // Debian's pg_config (from libpq-dev) may name /usr/bin, where only client wrappers live.
  for (const version of ["17", "16", "15", "14", "13"]) {
    const dir = `/usr/lib/postgresql/${version}/bin`;
    if (hasServerBinaries(dir)) return dir;
  }
  return undefined;
}

function problem(): string | undefined {
  const bindir = postgresBindir();
  if (bindir === undefined) {
    return "PostgreSQL server binaries (initdb, postgres) were not found via pg_config --bindir or /usr/lib/postgresql/*/bin (install postgresql-15)";
  }
  if (!hasServerBinaries(bindir)) return `${bindir} does not hold initdb, postgres and pg_dump`;
  if (runsAsRoot()) {
    if (postgresUser() === undefined)
      return `running as root, but there is no "${POSTGRES_SYSTEM_USER}" system user to run PostgreSQL as`;
    if (runuserPath() === undefined) return "running as root, but runuser is not on PATH, in /usr/sbin or in /sbin";
  }
  return undefined;
}

/**
 * Why PostgreSQL-backed suites cannot run here, or undefined when they can. Use it synchronously
 * with `describe.skipIf(postgresUnavailableReason() !== undefined)`. When a reason is returned, a
 * loud banner is printed so the skip is never mistaken for a pass. Under CI it always returns
 * undefined: missing binaries then fail the suite in {@link startPostgres}.
 */
export function postgresUnavailableReason(): string | undefined {
  if (isCi()) return undefined;
  const reason = problem();
  if (reason === undefined) return undefined;
  console.warn(
    [
      "",
      "!".repeat(78),
      `!! SKIPPED: tests against PostgreSQL did not run: ${reason}.`,
      "!! They are reported as skipped, not passed. Set CI=true to make this an error.",
      "!".repeat(78),
      "",
    ].join("\n"),
  );
  return reason;
}

/** Resolves true once something accepts TCP connections on 127.0.0.1:port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** `runuser` (util-linux) lives in /usr/sbin, which a minimal PATH may leave out. */
function runuserPath(): string | undefined {
  return findExecutable("runuser") ?? findExecutable("runuser", ["/usr/sbin", "/sbin"].join(delimiter));
}

/**
 * Run a PostgreSQL binary to completion, as the `postgres` user when root. Secrets go through
 * `env` (PGPASSWORD), never through arguments.
 */
function runTool(bindir: string, tool: string, args: string[], env: Record<string, string> = {}): string {
  const command = runsAsRoot() ? (runuserPath() ?? "runuser") : join(bindir, tool);
  const fullArgs = runsAsRoot() ? ["-u", POSTGRES_SYSTEM_USER, "--", join(bindir, tool), ...args] : args;
  try {
    return execFileSync(command, fullArgs, {
      encoding: "utf8",
      env: { ...process.env, ...env },
      maxBuffer: 256 * 1024 * 1024,
      timeout: 120_000,
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${tool} failed: ${`${e.stderr ?? ""}${e.stdout ?? ""}`.trim().slice(-2_000) || e.message}`);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Start PostgreSQL from the installed binaries: `initdb` into a fresh temporary directory
 * (owned by the `postgres` system user when running as root, since PostgreSQL refuses root),
 * then `postgres` listening on a free port of 127.0.0.1 with its unix socket inside that
 * directory. A superuser `coffer` with a random password (scram-sha-256 over TCP) owns the
 * database `coffer`. Call it in `beforeAll` and `stop()` it in `afterAll`; stopping removes the
 * directory. Durability settings are relaxed (`fsync=off`): a test restarts PostgreSQL cleanly,
 * it never tests power loss.
 * @throws Error when the binaries are missing, initdb fails, or PostgreSQL is not ready in time
 * (always thrown, so under CI the suite fails; outside CI guard the suite with
 * {@link postgresUnavailableReason}).
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresServer> {
  const why = options.bindir === undefined ? problem() : undefined;
  if (why !== undefined) throw new Error(`cannot start PostgreSQL: ${why}`);
  const bindir = options.bindir ?? (postgresBindir() as string);
  const owner = runsAsRoot() ? postgresUser() : undefined;
  if (runsAsRoot() && owner === undefined)
    throw new Error(`cannot start PostgreSQL: no "${POSTGRES_SYSTEM_USER}" user`);

  const dir = mkdtempSync(join(tmpdir(), "coffer-pg-"));
  const dataDir = join(dir, "data");
  const socketDir = join(dir, "sock");
  const pwFile = join(dir, "pwfile");
  const user = "coffer";
  const database = "coffer";
  const password = randomBytes(18).toString("base64url");
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  try {
    mkdirSync(socketDir, { mode: 0o700 });
    writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
    if (owner) {
      for (const path of [dir, socketDir, pwFile]) chownSync(path, owner.uid, owner.gid);
    }
    runTool(bindir, "initdb", [
      "-D",
      dataDir,
      "-U",
      user,
      `--pwfile=${pwFile}`,
      "--auth-local=trust",
      "--auth-host=scram-sha-256",
      "-E",
      "UTF8",
      "--locale=C",
      "--no-sync",
    ]);
    rmSync(pwFile, { force: true });
  } catch (err) {
    removeDir();
    throw new Error(`cannot start PostgreSQL: ${(err as Error).message}`);
  }

  const port = await freePort();
  const serverArgs = [
    "-D",
    dataDir,
    "-p",
    String(port),
    "-k",
    socketDir,
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    "fsync=off",
    "-c",
    "full_page_writes=off",
    "-c",
    "max_connections=200",
    "-c",
    "shared_buffers=32MB",
  ];
  const postgresPath = join(bindir, "postgres");
  let server: StartedProcess | undefined;
  let earlierLogs = "";
  const timeoutMs = options.timeoutMs ?? 60_000;

  const launch = async () => {
    server = await startProcess({
      name: "postgres",
      command: owner ? (runuserPath() ?? "runuser") : postgresPath,
      args: owner ? ["-u", POSTGRES_SYSTEM_USER, "--", postgresPath, ...serverArgs] : serverArgs,
      // Messages in English whatever the machine's locale (tests read them).
      env: { LC_MESSAGES: "C", LANG: "C" },
      cwd: dir,
      readyCheck: async () => {
        if (!(await accepts(port))) return false;
        const ready = spawnSync(join(bindir, "pg_isready"), ["-h", "127.0.0.1", "-p", String(port), "-q"]);
        return ready.status === 0;
      },
      timeoutMs,
    });
  };

  /** Fast shutdown (SIGINT to the postmaster: sessions are disconnected, data kept), then the group. */
  const shutdown = async () => {
    const current = server;
    if (!current) return;
    server = undefined;
    earlierLogs += current.logs();
    try {
      const pid = Number(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
      if (Number.isInteger(pid) && pid > 0) {
        process.kill(pid, "SIGINT");
        const deadline = Date.now() + 15_000;
        while (Date.now() < deadline && existsSync(join(dataDir, "postmaster.pid"))) await sleep(50);
      }
    } catch {
      // Not running (or already gone): the process group is stopped below either way.
    }
    await current.stop();
  };

  try {
    await launch();
  } catch (err) {
    removeDir();
    throw err;
  }
  runTool(bindir, "psql", [
    "-h",
    socketDir,
    "-p",
    String(port),
    "-U",
    user,
    "-d",
    "postgres",
    "-q",
    "-c",
    `CREATE DATABASE ${database}`,
  ]);

  const connectionStringFor = (db: string) =>
    `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(db)}`;
  let stopped: Promise<void> | undefined;
  return {
    connectionString: connectionStringFor(database),
    host: "127.0.0.1",
    port,
    user,
    password,
    database,
    bindir,
    directory: dir,
    connectionStringFor,
    async createDatabase(name: string) {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      runTool(bindir, "psql", [
        "-h",
        socketDir,
        "-p",
        String(port),
        "-U",
        user,
        "-d",
        "postgres",
        "-q",
        "-c",
        `CREATE DATABASE ${name}`,
      ]);
      return connectionStringFor(name);
    },
    dump(db = database) {
      return runTool(bindir, "pg_dump", ["-h", "127.0.0.1", "-p", String(port), "-U", user, "-d", db], {
        PGPASSWORD: password,
      });
    },
    async pause() {
      await shutdown();
    },
    async start() {
      if (server) return;
      await launch();
    },
    logs: () => earlierLogs + (server?.logs() ?? ""),
    stop() {
      stopped ??= (async () => {
        try {
          await shutdown();
        } finally {
          removeDir();
        }
      })();
      return stopped;
    },
  };
}
