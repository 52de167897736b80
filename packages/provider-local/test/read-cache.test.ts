import { type CofferError, runInReadContext } from "@coffer/core";
import { describe, expect, it } from "vitest";
import { GLOBAL, openLocal, tempHome, withRawDb } from "./support/temp-home.js";

const KEY = Buffer.alloc(32, 4).toString("base64");
const X = { name: "CACHED_X", scope: GLOBAL };
const Y = { name: "CACHED_Y", scope: GLOBAL };

/** Two providers on one store: two connections, like the REST server and a CLI command. */
async function twoConnections() {
  const home = await tempHome();
  const server = openLocal({ home, masterKey: KEY });
  const cli = openLocal({ home, masterKey: KEY });
  return { server, cli };
}

describe("cached reads of a long-running process see every change", () => {
  it("a write by another connection replaces a cached value, a miss and a deletion at once", async () => {
    const { server, cli } = await twoConnections();
    await cli.set(X, { value: "first-value" });
    expect((await server.lookup(X))?.value).toBe("first-value");
    expect((await server.lookup(X))?.value).toBe("first-value");
    expect(await server.lookup(Y)).toBeUndefined();

    await cli.set(X, { value: "second-value" });
    expect((await server.lookup(X))?.value).toBe("second-value");
    expect((await server.lookup(X))?.version).toBe(2);

    await cli.set(Y, { value: "now-here" });
    expect((await server.lookup(Y))?.value).toBe("now-here");

    await cli.delete(X);
    expect(await server.lookup(X)).toBeUndefined();
  });

  it("the process's own writes replace what it cached", async () => {
    const { server } = await twoConnections();
    await server.set(X, { value: "mine-1", tags: ["a"] });
    expect((await server.lookup(X))?.tags).toEqual(["a"]);
    await server.set(X, { value: "mine-2", tags: ["b"] });
    const read = await server.lookup(X);
    expect(read).toMatchObject({ value: "mine-2", version: 2, tags: ["b"] });
  });

  it("a caller changing what it got does not change the next answer", async () => {
    const { server, cli } = await twoConnections();
    await cli.set(X, { value: "pristine" });
    const first = await server.lookup(X);
    if (!first) throw new Error("missing");
    first.value = "scribbled";
    expect((await server.lookup(X))?.value).toBe("pristine");
  });

  it("an edit of the store file by a raw connection is seen (tampering is not hidden by the cache)", async () => {
    const { server, cli } = await twoConnections();
    await cli.set(X, { value: "authentic-value" });
    expect((await server.lookup(X))?.value).toBe("authentic-value");
    withRawDb(server.storePath, (db) => {
      db.prepare("UPDATE secret_versions SET attributes = ? WHERE name = ?").run(
        JSON.stringify({ tags: ["forged"] }),
        X.name,
      );
    });
    const err = (await server.lookup(X).catch((e) => e)) as CofferError;
    expect(err.code).toBe("INTEGRITY");
  });

  it("documents: an update or deletion by another connection is seen by the next read", async () => {
    const { server, cli } = await twoConnections();
    await cli.documents.put("api-tokens", "t1", { name: "ci", revokedAt: null });
    expect(await server.documents.get("api-tokens", "t1")).toEqual({ name: "ci", revokedAt: null });
    await cli.documents.update("api-tokens", "t1", (t) => ({
      ...(t as object),
      revokedAt: "2030-01-01T00:00:00.000Z",
    }));
    expect(await server.documents.get("api-tokens", "t1")).toEqual({
      name: "ci",
      revokedAt: "2030-01-01T00:00:00.000Z",
    });
    const copy = (await server.documents.get("api-tokens", "t1")) as { name: string };
    copy.name = "changed by the caller";
    expect(await server.documents.get("api-tokens", "t1")).toMatchObject({ name: "ci" });
    await cli.documents.delete("api-tokens", "t1");
    expect(await server.documents.get("api-tokens", "t1")).toBeUndefined();
  });

  it("inside one operation (a REST request) the store is checked once per turn; the next operation sees every commit", async () => {
    const { server, cli } = await twoConnections();
    await cli.set(X, { value: "before" });
    const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
    await runInReadContext(async () => {
      expect((await server.lookup(X))?.value).toBe("before");
      // A commit landing while the operation runs: its later reads in this turn keep the answer...
      await cli.set(X, { value: "during" });
    });
    let sameTurn: string | undefined;
    let laterTurn: string | undefined;
    await runInReadContext(async () => {
      // ...a new operation looks again before its first read.
      sameTurn = (await server.lookup(X))?.value;
      await cli.set(X, { value: "after" });
      const inThisTurn = (await server.lookup(X))?.value;
      expect(inThisTurn).toBe("during");
      await nextTurn();
      laterTurn = (await server.lookup(X))?.value;
    });
    expect(sameTurn).toBe("during");
    expect(laterTurn).toBe("after");
    // Outside any operation every read looks.
    await cli.set(X, { value: "outside" });
    expect((await server.lookup(X))?.value).toBe("outside");
  });
});
