import { spawn, spawnSync } from "node:child_process";
import { createReadStream, lstatSync, readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { CofferError } from "../errors/index.js";

/** One thing to scan: a file of the working tree, a staged blob or a blob in history. */
export interface ScanTarget {
  /** Where it is: `worktree` (a file), `index` (staged), `history` (a commit). */
  source: "worktree" | "index" | "history";
  /** Path, relative to the scan root (or the repository, for git sources), `/`-separated. */
  path: string;
  /** The commit that introduced this content (history). */
  commit?: string;
  /** The bytes, in chunks. */
  chunks(): AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  /** Size in bytes. */
  size: number;
}

/** Directories never walked into. */
const SKIPPED_DIRECTORIES = new Set([".git"]);
/** Read size for files. */
const FILE_CHUNK = 1024 * 1024;

/**
 * Regular files under the given paths (directories walked recursively, `.git` skipped, symbolic
 * links not followed), in a stable order.
 * @throws CofferError NOT_FOUND for a path that does not exist
 */
export function* worktreeTargets(root: string, paths: readonly string[]): Generator<ScanTarget> {
  for (const p of paths) {
    const full = join(root, p);
    let st: ReturnType<typeof lstatSync>;
    try {
      st = lstatSync(full);
    } catch {
      throw new CofferError("NOT_FOUND", `cannot scan ${p}: no such file or directory`, { field: "path" });
    }
    if (st.isDirectory()) yield* walk(root, full);
    else if (st.isFile()) yield fileTarget(root, full, st.size);
  }
}

function* walk(root: string, dir: string): Generator<ScanTarget> {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return;
  }
  for (const name of entries) {
    const full = join(dir, name);
    let st: ReturnType<typeof lstatSync>;
    try {
      st = lstatSync(full);
    } catch {
      continue;
    }
    if (st.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(name)) yield* walk(root, full);
    } else if (st.isFile()) yield fileTarget(root, full, st.size);
  }
}

function fileTarget(root: string, full: string, size: number): ScanTarget {
  const path = relative(root, full).split(sep).join("/") || full;
  return {
    source: "worktree",
    path,
    size,
    chunks: () => createReadStream(full, { highWaterMark: FILE_CHUNK }),
  };
}

function git(repo: string, args: string[]): string {
  const r = spawnSync("git", ["-C", repo, ...args], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) {
    throw new CofferError("INVALID_ARGUMENT", `git ${args[0]} failed in ${repo}: is it a git repository?`, {
      field: "path",
      hint: (r.stderr ?? "").split("\n")[0]?.slice(0, 200),
    });
  }
  return r.stdout;
}

/** The top directory of the repository holding `dir`. @throws CofferError INVALID_ARGUMENT outside a repository */
export function repositoryRoot(dir: string): string {
  return git(dir, ["rev-parse", "--show-toplevel"]).trim();
}

/**
 * Read many blobs with one `git cat-file --batch`, calling `onBlob` for each in order. Memory:
 * one blob at a time.
 */
async function readBlobs(
  repo: string,
  shas: readonly string[],
  onBlob: (sha: string, bytes: Buffer) => Promise<void>,
): Promise<void> {
  if (shas.length === 0) return;
  const child = spawn("git", ["-C", repo, "cat-file", "--batch"], { stdio: ["pipe", "pipe", "ignore"] });
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  child.stdin.on("error", () => undefined);
  // Feed requests as the output is consumed (a pipe holds only so much).
  let next = 0;
  const feed = () => {
    while (next < shas.length) {
      if (!child.stdin.write(`${shas[next++]}\n`)) {
        child.stdin.once("drain", feed);
        return;
      }
    }
    child.stdin.end();
  };
  feed();
  let buffered: Buffer = Buffer.alloc(0);
  let want: { sha: string; size: number } | undefined;
  for await (const piece of child.stdout as AsyncIterable<Buffer>) {
    buffered = buffered.length === 0 ? piece : Buffer.concat([buffered, piece]);
    for (;;) {
      if (!want) {
        const nl = buffered.indexOf(10);
        if (nl < 0) break;
        const header = buffered.subarray(0, nl).toString("utf8").split(" ");
        buffered = buffered.subarray(nl + 1);
        if (header[1] === "missing") continue;
        want = { sha: header[0]!, size: Number(header[2]) };
      }
      if (buffered.length < want.size + 1) break;
      const bytes = Buffer.from(buffered.subarray(0, want.size));
      buffered = buffered.subarray(want.size + 1);
      const sha = want.sha;
      want = undefined;
      await onBlob(sha, bytes);
    }
  }
  await exited;
}

/** A target over bytes already read. */
function blobTarget(source: "index" | "history", path: string, bytes: Buffer, commit?: string): ScanTarget {
  return { source, path, ...(commit ? { commit } : {}), size: bytes.length, chunks: () => [bytes] };
}

/** Every staged file (the git index) of the repository holding `dir`, one at a time. */
export async function forEachStagedTarget(dir: string, onTarget: (t: ScanTarget) => Promise<void>): Promise<void> {
  const repo = repositoryRoot(dir);
  const rows = git(repo, ["ls-files", "-s", "-z"]).split("\0").filter(Boolean);
  const paths = new Map<string, string[]>();
  for (const row of rows) {
    const tab = row.indexOf("\t");
    const [mode, sha] = row.slice(0, tab).split(" ");
    if (mode === "160000") continue; // submodule
    const list = paths.get(sha!) ?? [];
    list.push(row.slice(tab + 1));
    paths.set(sha!, list);
  }
  await readBlobs(repo, [...paths.keys()], async (sha, bytes) => {
    for (const path of paths.get(sha) ?? []) await onTarget(blobTarget("index", path, bytes));
  });
}

/**
 * Every distinct file content in the history of the repository holding `dir` (all refs), each
 * once, with the path and the earliest commit that introduced it.
 */
export async function forEachHistoryTarget(dir: string, onTarget: (t: ScanTarget) => Promise<void>): Promise<void> {
  const repo = repositoryRoot(dir);
  const hasCommits =
    spawnSync("git", ["-C", repo, "rev-parse", "--verify", "-q", "HEAD"], { stdio: "ignore" }).status === 0;
  const anyRef = git(repo, ["for-each-ref", "--count=1", "--format=%(refname)"]).trim() !== "";
  if (!hasCommits && !anyRef) return;
  // Newest first: the last commit seen for a blob is the one that introduced it.
  const log = git(repo, ["log", "--all", "--raw", "--no-abbrev", "--no-renames", "-z", "--format=%x00commit %H"]);
  const introduced = new Map<string, { commit: string; path: string }>();
  let commit = "";
  const parts = log.split("\0");
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!.replace(/^\n+/, "");
    if (part.startsWith("commit ")) {
      commit = part.slice(7).trim();
      continue;
    }
    if (part.startsWith(":")) {
      const fields = part.slice(1).split(" ");
      const sha = fields[3]!;
      const status = fields[4]!;
      const path = parts[++i] ?? "";
      if (status.startsWith("D") || /^0+$/.test(sha) || fields[1] === "160000") continue;
      introduced.set(sha, { commit, path });
    }
  }
  await readBlobs(repo, [...introduced.keys()], async (sha, bytes) => {
    const at = introduced.get(sha)!;
    await onTarget(blobTarget("history", at.path, bytes, at.commit));
  });
}
