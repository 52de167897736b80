import { describe, expect, it } from "vitest";
import { assertCommandAllowed, resolveExecPolicy } from "../src/exec-policy.js";

function refusal(allow: string[], command: string): string | undefined {
  try {
    assertCommandAllowed({ allow, source: "mcp.exec.allow" }, command);
    return undefined;
  } catch (err) {
    return (err as { code: string }).code;
  }
}

describe("exec policy", () => {
  it("denies everything by default", () => {
    const policy = resolveExecPolicy(undefined, {});
    expect(policy).toEqual({ allow: [], source: "default" });
    expect(refusal(policy.allow, "node")).toBe("PERMISSION_DENIED");
  });

  it("allows listed names, exact paths, and * except network tools", () => {
    expect(refusal(["node"], "node")).toBeUndefined();
    expect(refusal(["node"], "/tmp/evil/node")).toBe("PERMISSION_DENIED");
    expect(refusal(["./scripts/run.sh"], "./scripts/run.sh")).toBeUndefined();
    expect(refusal(["*"], "make")).toBeUndefined();
    expect(refusal(["*"], "curl")).toBe("PERMISSION_DENIED");
    expect(refusal(["*"], "/usr/bin/wget")).toBe("PERMISSION_DENIED");
    expect(refusal(["*", "curl"], "curl")).toBeUndefined();
    expect(refusal(["node"], "node -e 1")).toBe("INVALID_ARGUMENT");
  });

  it("prefers --exec-allow, then mcp.exec.allow, then exec.allow", () => {
    expect(resolveExecPolicy(["npm"], { mcp: { exec: { allow: ["node"] } } }).allow).toEqual(["npm"]);
    expect(resolveExecPolicy(undefined, { mcp: { exec: { allow: ["node"] } }, exec: { allow: ["make"] } })).toEqual({
      allow: ["node"],
      source: "mcp.exec.allow",
    });
    expect(resolveExecPolicy(undefined, { exec: { allow: ["make"] } })).toEqual({
      allow: ["make"],
      source: "exec.allow",
    });
    expect(() => resolveExecPolicy(undefined, { mcp: { exec: { allow: "node" } } })).toThrow(
      /mcp\.exec\.allow must be a list/,
    );
  });
});
