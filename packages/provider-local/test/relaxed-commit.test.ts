import { expect, it } from "vitest";
import { resolveLocalOptions } from "../src/local-provider-options.js";
import { openStore } from "../src/store/open-store.js";
import { tempHome } from "./support/temp-home.js";

it("a relaxed commit (read audit entries) runs with synchronous=NORMAL, and every later write is FULL again", async () => {
  const session = openStore(resolveLocalOptions({ home: await tempHome() }));
  try {
    const mode = () => session.db.pragma("synchronous", { simple: true });
    expect(mode()).toBe(2); // FULL
    let inside: unknown;
    await session.writeRelaxed(() => {
      inside = mode();
    });
    expect(inside).toBe(1); // NORMAL
    expect(mode()).toBe(2);
    await expect(
      session.writeRelaxed(() => {
        throw new Error("fails inside");
      }),
    ).rejects.toThrow();
    expect(mode()).toBe(2);
  } finally {
    session.close();
  }
});
