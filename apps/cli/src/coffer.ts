// Entry of the `coffer` bin: keep this module tiny. It is built as CommonJS (dist/package.json
// says so): Node starts a CommonJS entry faster than an ES module. It loads the bundle
// (dist/coffer-main.cjs) with a V8 code cache of its own, made after a command ran, so it holds
// the compiled code of every function that command used (Node's compile cache only holds what
// is compiled before the bundle runs, and everything else was compiled again on every run).
// `process.stdout` is not touched here: output is written to the descriptor (cli/stdout.ts).
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import * as nodeModule from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { Script } from "node:vm";

/** This file's path (`__filename` in the CommonJS build). */
declare const __COFFER_BIN_FILE__: string;
/** SHA-256 prefix of the bundle, set by the build: a cache is only ever used for the bundle it was made from. */
declare const __COFFER_BUNDLE_HASH__: string;

type Main = typeof import("./main.js").main;

/** Commands a cache records as covered (bounded: names are words, at most this many). */
const MAX_COVERED = 64;

/** A cache file: `[header length: u32 LE][header JSON: { commands }][V8 code cache]`. */
interface CodeCache {
  file: string;
  data?: Buffer;
  commands: string[];
}

/**
 * The private cache directory (`$XDG_CACHE_HOME/coffer` or `~/.cache/coffer`, created 0700), or
 * undefined when it cannot be used: a directory that others may write to is never trusted,
 * since a cache holds code this process runs.
 */
function cacheDir(): string | undefined {
  try {
    const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
    const dir = join(base, "coffer");
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = statSync(dir);
    const mine = typeof process.getuid !== "function" || st.uid === process.getuid();
    return mine && (st.mode & 0o022) === 0 ? dir : undefined;
  } catch {
    return undefined;
  }
}

function readCache(dir: string): CodeCache {
  const file = join(dir, `cli-${__COFFER_BUNDLE_HASH__}-${process.version}-${process.arch}.cache`);
  try {
    const bytes = readFileSync(file);
    const headerLength = bytes.readUInt32LE(0);
    const header = JSON.parse(bytes.toString("utf8", 4, 4 + headerLength)) as { commands?: unknown };
    const commands = Array.isArray(header.commands) ? header.commands.filter((c) => typeof c === "string") : [];
    return { file, data: bytes.subarray(4 + headerLength), commands };
  } catch {
    return { file, commands: [] };
  }
}

/** Replace the cache (atomically; 0600) and remove caches of other bundles or Node versions. */
function writeCache(cache: CodeCache, data: Buffer, commands: string[]): void {
  try {
    const header = Buffer.from(JSON.stringify({ commands }), "utf8");
    const length = Buffer.alloc(4);
    length.writeUInt32LE(header.length, 0);
    const tmp = `${cache.file}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.concat([length, header, data]), { mode: 0o600 });
    renameSync(tmp, cache.file);
    const dir = dirname(cache.file);
    for (const name of readdirSync(dir)) {
      if (/^cli-.*\.cache$/.test(name) && join(dir, name) !== cache.file) unlinkSync(join(dir, name));
    }
  } catch {
    // No cache this time; the next run tries again.
  }
}

nodeModule.enableCompileCache?.();

const bundleFile = join(dirname(__COFFER_BIN_FILE__), "coffer-main.cjs");
const dir = cacheDir();
const cache = dir ? readCache(dir) : undefined;
const script = new Script(nodeModule.wrap(readFileSync(bundleFile, "utf8")), {
  filename: bundleFile,
  ...(cache?.data ? { cachedData: cache.data } : {}),
});
const bundleModule = { exports: {} as { main: Main } };
// The bundle runs as the CommonJS module it is: `require` resolves from dist/ (better-sqlite3, SDKs).
script.runInThisContext()(
  bundleModule.exports,
  nodeModule.createRequire(bundleFile),
  bundleModule,
  bundleFile,
  dirname(bundleFile),
);

const argv = process.argv.slice(2);
void bundleModule.exports.main(argv).then((code) => {
  process.exitCode = code;
  // Record the code this command compiled when the cache lacks it (first run of each command).
  const command = argv[0];
  if (cache && command && /^[a-z][a-z-]{0,30}$/.test(command)) {
    const rejected = cache.data === undefined || script.cachedDataRejected === true;
    const covered = rejected ? [] : cache.commands;
    if (!covered.includes(command) && covered.length < MAX_COVERED) {
      writeCache(cache, script.createCachedData(), [...covered, command]);
    }
  }
  // Exit as soon as the output is written, without closing the connection that main() keeps
  // to skip the store's close-time checkpoint (see cli/store-hold.ts); SDK clients may keep
  // sockets open too. Writes to files, pipes and terminals are synchronous on POSIX; on Windows
  // the callbacks wait for the flush.
  const exit = () => process.exit(code);
  if (process.platform === "win32") process.stdout.write("", () => process.stderr.write("", exit));
  else exit();
});
