import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { migrateDotenv, parseDotenv, scanDotenv } from "../src/index.js";
import { cleanup, governedCoffer, rejection, SENTINEL, user } from "./governance-support.js";

afterEach(cleanup);

/** Edge cases of the .env parser suite, as whole files. */
const EDGE_FILES: Record<string, string> = {
  "plain and export": "A=1value1\nexport B=two-value\n  C = three value  \nexport=4four\n",
  "comments and inline comments":
    "# heading\n\n   \n\t# indented\nURL=https://x.test/a#frag # the url\nHASH=#notacomment\nEMPTY= # only a comment\nPW=abc#def\n",
  quotes: 'S=\'a\\nb "x" $HOME \\\\\'\nD="line1\\nline2\\ttab \\"q\\" back\\\\slash"\nB=`it\'s "both" \\n`\n',
  multiline: 'KEY="-----BEGIN-----\nabc\n-----END-----"\nB=`x\ny`\nAFTER=1after\n',
  "comment after quote": "A='quoted value'   # note\nB=\"dq value\"#tight\n",
  "CRLF and BOM": "\uFEFF# c\r\nA=one-value\r\nexport B=\"two\r\nlines\"\r\n\r\nC='three'\r\n",
  "lone CR": "A=first-value\rB=second-value\r",
  "no final newline": "A=1value\nB='last value'",
  duplicates: "A=first-value\nA=second-value\n",
  "empty and references": "A=\nB=coffer://B\nC=''\nD=real-value\n",
  unicode: "Ä_NOT_KEY_LINE_IS_COMMENT=1\n".replace(/^.*\n/, "# ünïcødé ✓\n") + "A=välüe ✓ 🔑\n",
};

describe("scanDotenv spans", () => {
  it.each(Object.entries(EDGE_FILES))("%s: each span holds exactly its value as written", (_name, text) => {
    const spans = scanDotenv(text);
    const parsed = parseDotenv(text).entries;
    // The spans' values are the parser's values (last assignment wins).
    expect(Object.fromEntries(spans.map((s) => [s.key, s.value]))).toEqual(
      Object.fromEntries(parsed.map((e) => [e.key, e.value])),
    );
    for (const s of spans) {
      const written = text.slice(s.valueStart, s.valueEnd);
      expect(parseDotenv(`K=${written}`).entries[0]?.value ?? "").toBe(s.value);
      expect(written[0] === s.quote || s.quote === "").toBe(true);
    }
  });

  it("replacing the spans changes nothing else (property)", () => {
    const value = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9_./:@%+,=-]{1,12}$/),
      fc
        .string({ maxLength: 12 })
        .filter((v) => !/['\n\r]/.test(v))
        .map((v) => ({ q: "'", v })),
      fc
        .string({ maxLength: 12 })
        .filter((v) => !/[`]/.test(v))
        .map((v) => ({ q: "`", v })),
    );
    const line = fc.oneof(
      fc.record({ kind: fc.constant("kv" as const), exp: fc.boolean(), value, blank: fc.constantFrom("", " ", "\t") }),
      fc.record({ kind: fc.constant("comment" as const), text: fc.stringMatching(/^[^\r\n]{0,10}$/) }),
      fc.constant({ kind: "blank" as const }),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), fc.constantFrom("\n", "\r\n"), fc.boolean(), (lines, eol, bom) => {
        let i = 0;
        const written: string[] = [];
        const parts = lines.map((l) => {
          if (l.kind === "comment") return `#${l.text}`;
          if (l.kind === "blank") return "";
          const v = typeof l.value === "string" ? l.value : `${l.value.q}${l.value.v}${l.value.q}`;
          written.push(v);
          return `${l.exp ? "export " : ""}K${i++}=${l.blank}${v}${l.blank}`;
        });
        const text = (bom ? "\uFEFF" : "") + parts.join(eol) + eol;
        const spans = scanDotenv(text);
        // Each span is exactly the value as written, in order, without overlap: replacing the
        // spans changes only the values.
        expect(spans.map((s) => s.key)).toEqual(written.map((_, k) => `K${k}`));
        expect(spans.map((s) => text.slice(s.valueStart, s.valueEnd))).toEqual(written);
        spans.forEach((s, k) => {
          if (k > 0) expect(s.valueStart).toBeGreaterThanOrEqual(spans[k - 1]!.valueEnd);
        });
      }),
    );
  });
});

describe("migrateDotenv", () => {
  it.each(Object.entries(EDGE_FILES))(
    "%s: only values change, byte for byte, and a second run changes nothing",
    async (_name, text) => {
      const { coffer } = await governedCoffer({ accessor: user("alice") });
      const before = parseDotenv(text).entries;
      const first = await migrateDotenv(coffer, text);
      const spans = scanDotenv(text);
      // Expected text: each non-empty, non-reference value span replaced by its reference.
      let expected = "";
      let at = 0;
      for (const s of spans) {
        if (s.value === "" || s.value.startsWith("coffer://")) continue;
        expected += `${text.slice(at, s.valueStart)}${s.quote}coffer://${s.key}${s.quote}`;
        at = s.valueEnd;
      }
      expected += text.slice(at);
      expect(first.text).toBe(expected);
      // Every value is stored under its key (the last assignment's value).
      for (const e of before) {
        if (e.value === "" || e.value.startsWith("coffer://")) continue;
        expect((await coffer.get(e.key, { reveal: true, scope: "project" })).value).toBe(e.value);
      }
      const second = await migrateDotenv(coffer, first.text);
      expect(second.changed).toBe(false);
      expect(second.text).toBe(first.text);
    },
  );

  it("a dry run stores nothing, returns the text unchanged and names no value", async () => {
    const { coffer } = await governedCoffer({ accessor: user("alice") });
    const text = `A=${SENTINEL}\nB=coffer://B\n`;
    const plan = await migrateDotenv(coffer, text, { dryRun: true });
    expect(plan.text).toBe(text);
    expect(plan.changed).toBe(false);
    expect(plan.items).toEqual([
      { key: "A", lines: [1], action: "create", reference: "coffer://A" },
      { key: "B", lines: [2], action: "reference" },
    ]);
    expect(JSON.stringify({ items: plan.items, warnings: plan.warnings })).not.toContain(SENTINEL.slice(4));
    expect(await coffer.has("A")).toBe(false);
  });

  it("a different stored value is a conflict that changes nothing, unless overwrite", async () => {
    const { coffer } = await governedCoffer({ accessor: user("alice") });
    await coffer.set("A", "stored-value-1", { scope: "project" });
    const text = `A=${SENTINEL}\nB=new-value-22\n`;
    const err = await rejection(migrateDotenv(coffer, text));
    expect(err.code).toBe("CONFLICT");
    expect(err.message).toContain("A");
    expect(err.message).not.toContain(SENTINEL);
    expect(await coffer.has("B")).toBe(false);
    expect((await coffer.get("A", { reveal: true })).value).toBe("stored-value-1");
    const done = await migrateDotenv(coffer, text, { overwrite: true });
    expect(done.items.map((i) => i.action)).toEqual(["update", "create"]);
    expect((await coffer.get("A", { reveal: true })).value).toBe(SENTINEL);
    // The same value already stored is not a conflict.
    const again = await migrateDotenv(coffer, text);
    expect(again.items.map((i) => i.action)).toEqual(["unchanged", "unchanged"]);
    expect(again.text).toBe("A=coffer://A\nB=coffer://B\n");
  });

  it("pins a chosen scope and env in the references and stores there", async () => {
    const { coffer } = await governedCoffer({ accessor: user("alice") });
    const out = await migrateDotenv(coffer, 'A=team-value-1\nexport B="x y"\n', {
      scope: { kind: "team", id: "acme" },
      env: "prod",
    });
    expect(out.text).toBe(
      "A='coffer://A?scope=team:acme&env=prod'\nexport B=\"coffer://B?scope=team:acme&env=prod\"\n",
    );
    expect((await coffer.get("A", { scope: "team", teamId: "acme", env: "prod", reveal: true })).value).toBe(
      "team-value-1",
    );
    const audit = await coffer.audit({ action: "import" });
    expect(audit.flatMap((e) => (e.name ? [e.name] : [])).sort()).toEqual(["A", "B"]);
    expect(JSON.stringify(audit)).not.toContain("team-value-1");
  });

  it("a key that is not a valid secret name fails before anything is stored", async () => {
    const { coffer } = await governedCoffer({ accessor: user("alice") });
    const err = await rejection(migrateDotenv(coffer, "A=value-one-1\nCOFFER_THING=value-two-2\n"));
    expect(err.code).toBe("INVALID_ARGUMENT");
    expect(await coffer.has("A")).toBe(false);
  });
});
