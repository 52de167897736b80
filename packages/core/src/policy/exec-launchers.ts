import { basename } from "node:path";

/**
 * The program a command word names, as the exec lists compare it: the last path segment,
 * lower-cased, without a Windows `.exe`/`.cmd`/`.bat` suffix (`/usr/bin/Env` -> `env`).
 */
export function programName(command: string): string {
  return basename(command.replaceAll("\\", "/"))
    .toLowerCase()
    .replace(/\.(exe|cmd|bat)$/, "");
}

/** What a command line starts, launcher by launcher (see {@link resolveLaunchers}). */
export interface LauncherChain {
  /**
   * Every program the command line starts, outermost first: the command itself, then the
   * program each launcher starts (`env -i A=B timeout 5 node x` -> `env`, `timeout`, `node`).
   */
  programs: string[];
  /**
   * Set when the last program is a launcher whose target cannot be determined from the
   * arguments (a shell string, an interactive shell, an option Coffer does not know...).
   */
  unresolved?: {
    /** The launcher, as written. */
    launcher: string;
    /** Why its target is unknown. */
    reason: string;
  };
}

/** How one launcher reads its arguments before the program it starts (GNU/util-linux/sudo syntax). */
interface LauncherSpec {
  /** Short options without a value. */
  flags?: string;
  /** Short options with a value (attached, `-n5`, or the next word). */
  values?: string;
  /** Short options with an optional value, attached only (`-m/proc/1/ns/mnt`). */
  optional?: string;
  /** Long options without a value. */
  longFlags?: readonly string[];
  /** Long options with a value (`--signal=KILL` or `--signal KILL`). */
  longValues?: readonly string[];
  /** Long options with an optional value, `=` only (`--mount=/proc/1/ns/mnt`). */
  longOptional?: readonly string[];
  /** Options (a short letter or a long name) whose use hides the program: why. */
  unresolvable?: Readonly<Record<string, string>>;
  /** Options after which the launcher starts no program (`ionice -p PID`, `command -v`). */
  startsNothing?: readonly string[];
  /** Options one of which must be given for the arguments to be a program (`watch -x`), and why. */
  requires?: { options: readonly string[]; reason: string };
  /** Words before the program that are not options (`timeout DURATION`, `chroot NEWROOT`). @default 0 */
  operands?: number;
  /** `NAME=VALUE` words may precede the program (env, sudo). */
  assignments?: boolean;
  /** The legacy numeric option `-N` (nice -5). */
  numericOption?: boolean;
  /** A lone `-` is an option (env: same as -i). */
  loneDash?: boolean;
  /** What runs without a program: nothing, the user's shell (unresolvable), or a fixed program. */
  withoutProgram: "nothing" | "shell" | { program: string };
}

const SHELL_STRING = "it runs a shell command string";
const INTERACTIVE_SHELL = "it starts a shell";

/** Launchers whose arguments are parsed to find the program they start. */
const LAUNCHERS: Readonly<Record<string, LauncherSpec>> = {
  env: {
    flags: "i0v",
    values: "uCS",
    longFlags: ["ignore-environment", "null", "debug", "list-signal-handling"],
    longValues: ["unset", "chdir", "split-string"],
    longOptional: ["default-signal", "ignore-signal", "block-signal"],
    unresolvable: { S: "-S splits a string into the program and its arguments", "split-string": SHELL_STRING },
    assignments: true,
    loneDash: true,
    withoutProgram: "nothing",
  },
  timeout: {
    flags: "v",
    values: "sk",
    longFlags: ["preserve-status", "foreground", "verbose"],
    longValues: ["signal", "kill-after"],
    operands: 1,
    withoutProgram: "nothing",
  },
  nice: { values: "n", longValues: ["adjustment"], numericOption: true, withoutProgram: "nothing" },
  nohup: { withoutProgram: "nothing" },
  stdbuf: { values: "ioe", longValues: ["input", "output", "error"], withoutProgram: "nothing" },
  setsid: { flags: "cfw", longFlags: ["ctty", "fork", "wait"], withoutProgram: "nothing" },
  xargs: {
    flags: "0prtxo",
    values: "aEILnsPd",
    optional: "eil",
    longFlags: ["null", "interactive", "no-run-if-empty", "verbose", "show-limits", "exit", "open-tty"],
    longValues: ["arg-file", "delimiter", "max-args", "max-chars", "max-procs", "process-slot-var"],
    longOptional: ["eof", "replace", "max-lines"],
    withoutProgram: { program: "echo" },
  },
  time: {
    flags: "apqvV",
    values: "fo",
    longFlags: ["append", "portability", "quiet", "verbose"],
    longValues: ["format", "output"],
    withoutProgram: "nothing",
  },
  command: { flags: "p", startsNothing: ["v", "V"], withoutProgram: "nothing" },
  exec: { flags: "cl", values: "a", withoutProgram: "nothing" },
  sudo: {
    flags: "AbEHknPSBN",
    values: "CDghprRtTUu",
    longFlags: [
      "askpass",
      "background",
      "bell",
      "set-home",
      "remove-timestamp",
      "reset-timestamp",
      "non-interactive",
      "preserve-groups",
      "stdin",
    ],
    longValues: [
      "close-from",
      "chdir",
      "group",
      "host",
      "prompt",
      "chroot",
      "role",
      "type",
      "command-timeout",
      "other-user",
      "user",
    ],
    longOptional: ["preserve-env"],
    unresolvable: {
      s: INTERACTIVE_SHELL,
      shell: INTERACTIVE_SHELL,
      i: INTERACTIVE_SHELL,
      login: INTERACTIVE_SHELL,
      e: "it starts an editor",
      edit: "it starts an editor",
    },
    startsNothing: ["l", "list", "v", "validate", "V", "version", "K", "help"],
    assignments: true,
    withoutProgram: "nothing",
  },
  doas: {
    flags: "n",
    values: "u",
    unresolvable: { s: INTERACTIVE_SHELL },
    startsNothing: ["L", "C"],
    withoutProgram: "nothing",
  },
  chroot: {
    longFlags: ["skip-chdir"],
    longValues: ["userspec", "groups"],
    operands: 1,
    withoutProgram: "shell",
  },
  flock: {
    flags: "sxenouF",
    values: "wE",
    longFlags: ["shared", "exclusive", "nonblock", "nb", "close", "unlock", "no-fork", "verbose"],
    longValues: ["timeout", "wait", "conflict-exit-code"],
    unresolvable: { c: SHELL_STRING, command: SHELL_STRING },
    operands: 1,
    withoutProgram: "nothing",
  },
  ionice: {
    flags: "t",
    values: "cn",
    longFlags: ["ignore"],
    longValues: ["class", "classdata"],
    startsNothing: ["p", "P", "u", "pid", "pgid", "uid"],
    withoutProgram: "nothing",
  },
  taskset: {
    flags: "ac",
    longFlags: ["all-tasks", "cpu-list"],
    startsNothing: ["p", "pid"],
    operands: 1,
    withoutProgram: "nothing",
  },
  unshare: {
    flags: "fmuinpCTUrcl",
    values: "RwSG",
    longFlags: ["fork", "map-root-user", "map-current-user", "map-auto", "keep-caps", "load-interp"],
    longValues: [
      "map-user",
      "map-group",
      "map-users",
      "map-groups",
      "propagation",
      "setgroups",
      "root",
      "wd",
      "setuid",
      "setgid",
      "monotonic",
      "boottime",
    ],
    longOptional: ["mount", "uts", "ipc", "net", "pid", "user", "cgroup", "time", "kill-child", "mount-proc"],
    withoutProgram: "shell",
  },
  nsenter: {
    flags: "aFZc",
    values: "tSG",
    optional: "muinpCUTrwW",
    longFlags: ["all", "no-fork", "preserve-credentials", "follow-context", "keep-caps", "join-cgroup"],
    longValues: ["target", "setuid", "setgid", "env"],
    longOptional: ["mount", "uts", "ipc", "net", "pid", "cgroup", "user", "time", "root", "wd", "wdns"],
    withoutProgram: "shell",
  },
  watch: {
    flags: "bcegptwrx",
    values: "nq",
    optional: "d",
    longFlags: [
      "beep",
      "color",
      "no-color",
      "errexit",
      "chgexit",
      "precise",
      "no-title",
      "no-wrap",
      "no-rerun",
      "exec",
    ],
    longValues: ["interval", "equexit"],
    longOptional: ["differences"],
    requires: { options: ["x", "exec"], reason: "without -x it runs its arguments as a shell command string" },
    withoutProgram: "nothing",
  },
};

/**
 * Programs that start another program in ways Coffer does not parse (tracers, sandboxes,
 * privilege tools, shells-in-disguise): their target is never resolved.
 */
const OPAQUE_LAUNCHERS: ReadonlySet<string> = new Set([
  "script",
  "su",
  "runuser",
  "pkexec",
  "setpriv",
  "sg",
  "newgrp",
  "chrt",
  "numactl",
  "prlimit",
  "cpulimit",
  "strace",
  "ltrace",
  "valgrind",
  "gdb",
  "lldb",
  "firejail",
  "bwrap",
  "systemd-run",
  "schroot",
  "fakeroot",
  "fakechroot",
  "faketime",
  "proxychains",
  "proxychains4",
  "torsocks",
  "tsocks",
  "unbuffer",
  "expect",
  "rlwrap",
  "catchsegv",
  "dbus-run-session",
  "xvfb-run",
  "parallel",
  "chpst",
  "setuidgid",
  "envdir",
  "envuidgid",
  "softlimit",
  "daemonize",
  "start-stop-daemon",
  "ssh-agent",
  "caffeinate",
]);

/** `find` starts programs with these actions. */
const FIND_RUNNERS = new Set(["-exec", "-execdir", "-ok", "-okdir"]);

/** Launchers followed at most (a longer chain is refused as unresolved). */
const MAX_LAUNCHER_DEPTH = 16;

/** True when the program is a launcher: it starts another program (see {@link resolveLaunchers}). */
export function isLauncher(command: string): boolean {
  const name = programName(command);
  return name in LAUNCHERS || OPAQUE_LAUNCHERS.has(name) || name === "busybox";
}

type Step =
  | { next: { program: string; args: string[] }; values: Map<string, string> }
  | { done: true }
  | { unresolved: string };

/** Read one launcher's options; the program it starts and that program's arguments. */
function stepThrough(spec: LauncherSpec, args: readonly string[]): Step {
  const seen = new Set<string>();
  // Option -> its value (the last one given), for options that take one.
  const values = new Map<string, string>();
  let i = 0;
  const use = (option: string): Step | undefined => {
    seen.add(option);
    const why = spec.unresolvable?.[option];
    if (why !== undefined) return { unresolved: why };
    if (spec.startsNothing?.includes(option)) return { done: true };
    return undefined;
  };
  const unknown = (word: string): Step => ({
    unresolved: `Coffer does not know its option ${JSON.stringify(word.length > 40 ? `${word.slice(0, 40)}…` : word)}`,
  });
  for (; i < args.length; i++) {
    const word = args[i]!;
    if (word === "--") {
      i++;
      break;
    }
    if (word === "-" && spec.loneDash) continue;
    if (!word.startsWith("-") || word === "-") break;
    if (spec.numericOption && /^-\d+$/.test(word)) continue;
    if (word.startsWith("--")) {
      const eq = word.indexOf("=");
      const given = word.slice(2, eq < 0 ? undefined : eq);
      const all = [...(spec.longFlags ?? []), ...(spec.longValues ?? []), ...(spec.longOptional ?? [])];
      const special = [
        ...Object.keys(spec.unresolvable ?? {}),
        ...(spec.startsNothing ?? []),
        ...(spec.requires?.options ?? []),
      ].filter((o) => o.length > 1);
      // GNU getopt takes any unambiguous prefix of a long option.
      const candidates = [...new Set([...all, ...special])].filter((o) => o.startsWith(given));
      const name = candidates.includes(given) ? given : candidates.length === 1 ? candidates[0] : undefined;
      if (name === undefined || given.length === 0) return unknown(word);
      const stop = use(name);
      if (stop) return stop;
      if (spec.longValues?.includes(name) && eq < 0) {
        i++;
        values.set(name, args[i] ?? "");
      } else if (spec.longFlags?.includes(name)) {
        if (eq >= 0) return unknown(word);
      } else values.set(name, eq < 0 ? "" : word.slice(eq + 1));
      continue;
    }
    // A cluster of short options: `-iu NAME`, `-n5`, `-sKILL`.
    for (let j = 1; j < word.length; j++) {
      const letter = word[j]!;
      const stop = use(letter);
      if (stop) return stop;
      if (spec.values?.includes(letter)) {
        if (j === word.length - 1) {
          i++;
          values.set(letter, args[i] ?? "");
        } else values.set(letter, word.slice(j + 1));
        break;
      }
      if (spec.optional?.includes(letter)) {
        values.set(letter, word.slice(j + 1));
        break;
      }
      if (!spec.flags?.includes(letter) && !spec.requires?.options.includes(letter)) return unknown(`-${letter}`);
    }
  }
  if (i > args.length) return { unresolved: "an option lacks its value" };
  if (spec.requires && !spec.requires.options.some((o) => seen.has(o))) return { unresolved: spec.requires.reason };
  if (spec.assignments) while (i < args.length && /^[^=-][^=]*=/.test(args[i]!)) i++;
  const operands = spec.operands ?? 0;
  if (i + operands > args.length) return { done: true };
  i += operands;
  const program = args[i];
  if (program === undefined) {
    if (spec.withoutProgram === "nothing") return { done: true };
    if (spec.withoutProgram === "shell") return { unresolved: INTERACTIVE_SHELL };
    return { next: { program: spec.withoutProgram.program, args: [] }, values };
  }
  // An option where the program belongs (`flock FILE -c STRING`) is not a program.
  if (program.startsWith("-")) {
    const name = program.replace(/^--?/, "");
    return { unresolved: spec.unresolvable?.[name] ?? `${JSON.stringify(program.slice(0, 40))} is not a program` };
  }
  return { next: { program, args: args.slice(i + 1) }, values };
}

/** xargs's replacement string (`-I R`, `-i[R]`, `--replace[=R]`; `{}` when none is given), if any. */
function xargsReplacement(values: Map<string, string>): string | undefined {
  const given = values.get("I") ?? values.get("i") ?? values.get("replace");
  if (given === undefined) return undefined;
  return given === "" && !values.has("I") ? "{}" : given;
}

/**
 * Follow a command line through its launchers (env, timeout, nice, nohup, stdbuf, setsid,
 * xargs, time, command, exec, sudo, doas, busybox, chroot, flock, ionice, taskset, unshare,
 * nsenter, watch, and also `find -exec`) to every program it starts, parsing each launcher's
 * own options. Launchers Coffer does not parse (script, su, strace, firejail...), a shell
 * string (`env -S`, `flock -c`, `watch` without `-x`), an interactive shell (`sudo -s`,
 * `chroot` without a program), an unknown option or a chain deeper than 16 leave the target
 * unresolved.
 */
export function resolveLaunchers(command: string, args: readonly string[] = []): LauncherChain {
  const programs = [command];
  let current = { program: command, args: [...args] };
  for (let depth = 0; ; depth++) {
    const name = programName(current.program);
    const unresolved = (reason: string): LauncherChain => ({
      programs,
      unresolved: { launcher: current.program, reason },
    });
    let step: Step;
    if (name === "busybox") {
      const [applet, ...rest] = current.args;
      if (applet === undefined) step = { done: true };
      else if (applet.startsWith("-")) step = { unresolved: "Coffer does not know busybox's options" };
      else step = { next: { program: applet, args: rest }, values: new Map() };
    } else if (name === "find") {
      if (!current.args.some((a) => FIND_RUNNERS.has(a))) return { programs };
      step = { unresolved: "-exec runs programs named by its arguments" };
    } else if (OPAQUE_LAUNCHERS.has(name)) {
      step = { unresolved: "Coffer does not resolve the program it starts" };
    } else {
      const spec = LAUNCHERS[name];
      if (spec === undefined) return { programs };
      step = stepThrough(spec, current.args);
      if ("next" in step && name === "xargs") {
        const replacement = xargsReplacement(step.values);
        if (replacement !== undefined && (replacement === "" || step.next.program.includes(replacement)))
          step = { unresolved: "its program comes from its input" };
      }
    }
    if ("done" in step) return { programs };
    if ("unresolved" in step) return unresolved(step.unresolved);
    if (depth + 1 >= MAX_LAUNCHER_DEPTH) return unresolved(`more than ${MAX_LAUNCHER_DEPTH} launchers in a row`);
    programs.push(step.next.program);
    current = step.next;
  }
}
