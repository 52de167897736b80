import { describe, expect, it } from "vitest";
import { createCoffer, isCofferError } from "../src/index.js";

/** What calling `createCoffer` wrongly throws, as a library user sees it. */
function thrownBy(call: () => unknown): unknown {
  try {
    call();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe("createCoffer misuse", () => {
  it.each([
    ["no options", () => (createCoffer as (o?: unknown) => unknown)()],
    ["null", () => createCoffer(null as never)],
    ["options without providers", () => createCoffer({} as never)],
    ["providers that is not a list", () => createCoffer({ providers: "local" } as never)],
    ["an empty provider list", () => createCoffer({ providers: [] })],
  ])("%s is a CONFIG error naming providers, not a TypeError", (_label, call) => {
    const err = thrownBy(call);
    expect(err).not.toBeInstanceOf(TypeError);
    expect(isCofferError(err, "CONFIG")).toBe(true);
    expect((err as { details: { field?: string } }).details.field).toBe("providers");
  });
});
