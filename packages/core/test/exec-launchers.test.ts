import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { execCommandAllowed, resolveLaunchers } from "../src/index.js";

const agent = { kind: "agent", frontEnd: "mcp" } as const;
const user = { kind: "user", frontEnd: "cli" } as const;
const DENY = { exec: { allow: ["*"], deny: ["node", "sh", "curl"] } };

/** Split a command line on spaces (the tests' lines hold no quoted spaces). */
function words(line: string): [string, string[]] {
  const [command, ...args] = line.split(" ");
  return [command!, args];
}

function decide(config: object, line: string, accessor: typeof agent | typeof user = agent) {
  const [command, args] = words(line);
  return execCommandAllowed(config, command, accessor, args);
}

describe("resolveLaunchers", () => {
  it.each([
    ["env node -e 1", ["env", "node"]],
    ["env -i A=B C=D node x", ["env", "node"]],
    ["env -iu HOME -C /tmp node", ["env", "node"]],
    ["env --unset=HOME --chdir /tmp -- node", ["env", "node"]],
    ["env --ignore-e node", ["env", "node"]],
    ["env - A=B node", ["env", "node"]],
    ["/usr/bin/env node", ["/usr/bin/env", "node"]],
    ["timeout 5 sh -c x", ["timeout", "sh"]],
    ["timeout -s KILL 5 node", ["timeout", "node"]],
    ["timeout -sKILL -k 1 --preserve-status 5 node", ["timeout", "node"]],
    ["timeout --signal=KILL 5s node", ["timeout", "node"]],
    ["nice -n 5 node", ["nice", "node"]],
    ["nice -5 node", ["nice", "node"]],
    ["nice -n-5 node", ["nice", "node"]],
    ["nohup node", ["nohup", "node"]],
    ["stdbuf -oL -e 0 node", ["stdbuf", "node"]],
    ["setsid -fw node", ["setsid", "node"]],
    ["xargs -0 -n 1 node", ["xargs", "node"]],
    ["xargs -I {} node {}", ["xargs", "node"]],
    ["xargs", ["xargs", "echo"]],
    ["time -f %e node", ["time", "node"]],
    ["command -p node", ["command", "node"]],
    ["command -v node", ["command"]],
    ["exec -a name node", ["exec", "node"]],
    ["sudo -u x node", ["sudo", "node"]],
    ["sudo -E -u x --chdir=/ FOO=1 node", ["sudo", "node"]],
    ["doas -u x node", ["doas", "node"]],
    ["busybox sh -c x", ["busybox", "sh"]],
    ["busybox env node", ["busybox", "env", "node"]],
    ["chroot / node", ["chroot", "node"]],
    ["chroot --userspec=1:1 / node", ["chroot", "node"]],
    ["flock -w 5 /tmp/lock node", ["flock", "node"]],
    ["ionice -c 3 node", ["ionice", "node"]],
    ["ionice -p 1", ["ionice"]],
    ["taskset -c 0 node", ["taskset", "node"]],
    ["taskset 0x1 node", ["taskset", "node"]],
    ["unshare -rn --mount-proc node", ["unshare", "node"]],
    ["nsenter -t 1 -m -u node", ["nsenter", "node"]],
    ["nsenter --target 1 --mount=/proc/1/ns/mnt node", ["nsenter", "node"]],
    ["watch -x -n 1 node", ["watch", "node"]],
    [
      "env timeout 5 nice -n 1 sudo -u x busybox env -i node",
      ["env", "timeout", "nice", "sudo", "busybox", "env", "node"],
    ],
    ["npm test", ["npm"]],
    ["find . -name x", ["find"]],
  ])("%s starts %j", (line, programs) => {
    const [command, args] = words(line);
    const chain = resolveLaunchers(command, args);
    expect(chain.programs).toEqual(programs);
    expect(chain.unresolved).toBeUndefined();
  });

  it.each([
    "env -S node_-e",
    "env --split-string=node",
    "env -X node",
    "env --bogus node",
    "env --ignore-environment=x node",
    "timeout -s",
    "sudo -s",
    "sudo -i node",
    "sudo --login",
    "doas -s",
    "watch node",
    "watch -n 1 node",
    "flock /tmp/lock -c x",
    "flock -c x /tmp/lock",
    "chroot /",
    "unshare -r",
    "nsenter -t 1 -m",
    "xargs -I {} {}",
    "xargs -0I{} {}",
    "xargs --replace sh{}",
    "script -c x",
    "strace node",
    "busybox --install",
    "find . -exec node {} ;",
  ])("%s leaves its program unresolved", (line) => {
    const [command, args] = words(line);
    expect(resolveLaunchers(command, args).unresolved).toBeDefined();
  });

  it("refuses a chain deeper than 16 launchers", () => {
    const args = [...Array(20).fill("env"), "node"];
    expect(resolveLaunchers("env", args).unresolved?.reason).toMatch(/more than 16/);
  });
});

describe("exec lists follow launchers", () => {
  it("refuses env node, timeout 5 sh -c and env curl under allow * with deny node, sh, curl", () => {
    for (const [line, launcher, program] of [
      ["env node -e 1", "env", "node"],
      ["timeout 5 sh -c x", "timeout", "sh"],
      ["env curl https://example.com", "env", "curl"],
    ] as const) {
      const d = decide(DENY, line);
      expect(d.allowed, line).toBe(false);
      expect(d.rule).toBe("config:exec.deny");
      expect(d.denial).toEqual({ kind: "deny-list", program, launchers: [launcher] });
      expect(d.reason).toContain(`started by "${launcher}"`);
    }
    expect(decide(DENY, "env FOO=1 npm test").allowed).toBe(true);
    expect(decide(DENY, "timeout 5 npm test").allowed).toBe(true);
  });

  it("refuses a network tool behind a launcher even for users without lists", () => {
    const d = decide({}, "timeout 5 curl x", user);
    expect(d).toMatchObject({ allowed: false, rule: "exec:network-tool" });
    expect(d.denial).toEqual({ kind: "network-tool", program: "curl", launchers: ["timeout"] });
    expect(decide({}, "timeout 5 npm test", user).allowed).toBe(true);
  });

  it("requires every program in the chain to be on an allow list", () => {
    const config = { exec: { allow: ["npm"] } };
    expect(decide(config, "npm test").allowed).toBe(true);
    expect(decide(config, "env npm test")).toMatchObject({
      allowed: false,
      denial: { kind: "not-allowed", program: "env", launchers: [] },
    });
    expect(decide({ exec: { allow: ["env", "npm"] } }, "env npm test").allowed).toBe(true);
    expect(decide({ exec: { allow: ["env", "npm"] } }, "env node x").denial).toMatchObject({ program: "node" });
  });

  it("refuses a launcher whose program is unknown unless an allow list names it", () => {
    for (const line of ["watch node", "env -S x", "sudo -s", "strace node", "flock /tmp/l -c x"]) {
      const d = decide(DENY, line);
      expect(d, line).toMatchObject({ allowed: false, rule: "exec:unresolved-launcher" });
      expect(d.denial?.kind).toBe("unresolved-launcher");
      expect(decide({}, line, user).allowed, line).toBe(false);
    }
    expect(decide({ exec: { allow: ["*", "strace"], deny: ["node"] } }, "strace node").allowed).toBe(true);
    // Naming the launcher does not let it start a denied program it is known to start.
    expect(decide({ exec: { allow: ["*", "env"], deny: ["node"] } }, "env node").allowed).toBe(false);
  });

  it("follows absolute paths and Windows names of launchers", () => {
    expect(decide(DENY, "/usr/bin/env node x").denial).toMatchObject({ kind: "deny-list", program: "node" });
    expect(decide(DENY, "/usr/bin/timeout 5 /bin/sh -c x").denial).toMatchObject({ program: "/bin/sh" });
    expect(decide(DENY, "C:\\Windows\\ENV.EXE node").denial).toMatchObject({ program: "node" });
  });

  it("no chain of launchers in front of a denied program gets it run (property)", () => {
    const launcher = fc.constantFrom(
      ["env"],
      ["env", "-i"],
      ["env", "A=B"],
      ["env", "-u", "HOME"],
      ["/usr/bin/env", "--"],
      ["timeout", "5"],
      ["timeout", "-s", "KILL", "5"],
      ["timeout", "-k", "1", "5s"],
      ["nice"],
      ["nice", "-n", "5"],
      ["nice", "-5"],
      ["nohup"],
      ["stdbuf", "-oL"],
      ["setsid", "-f"],
      ["xargs", "-0"],
      ["time", "-p"],
      ["command"],
      ["exec", "-a", "x"],
      ["sudo", "-u", "root"],
      ["sudo", "-E", "A=B"],
      ["doas", "-n"],
      ["busybox"],
      ["chroot", "/"],
      ["flock", "/tmp/l"],
      ["ionice", "-c", "3"],
      ["taskset", "0x1"],
      ["unshare", "-r"],
      ["nsenter", "-t", "1", "-m"],
      ["watch", "-x"],
      ["watch"],
      ["script", "-c"],
      ["strace", "-f"],
    );
    const denied = fc.constantFrom("node", "sh", "/bin/sh", "curl", "NODE.exe");
    fc.assert(
      fc.property(fc.array(launcher, { minLength: 1, maxLength: 6 }), denied, (prefix, program) => {
        const line = [...prefix.flat(), program, "-e", "x"];
        const d = execCommandAllowed(DENY, line[0], agent, line.slice(1));
        expect(d.allowed).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});
