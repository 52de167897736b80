import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatDotenv, parseDotenv } from "../src/dotenv/index.js";
import { CofferError } from "../src/errors/index.js";

function values(text: string): Record<string, string> {
  return Object.fromEntries(parseDotenv(text).entries.map((e) => [e.key, e.value]));
}

function parseError(text: string): CofferError {
  try {
    parseDotenv(text);
  } catch (err) {
    expect(err).toBeInstanceOf(CofferError);
    return err as CofferError;
  }
  throw new Error("expected parseDotenv to throw");
}

describe("parseDotenv", () => {
  it("reads plain and exported assignments with their line numbers", () => {
    const result = parseDotenv("A=1\nexport B=two\n  C = three  \nexport=4\n");
    expect(result.entries).toEqual([
      { key: "A", value: "1", line: 1 },
      { key: "B", value: "two", line: 2 },
      { key: "C", value: "three", line: 3 },
      { key: "export", value: "4", line: 4 },
    ]);
    expect(result.warnings).toEqual([]);
  });

  it("skips comments and blank lines, strips inline comments only after a blank", () => {
    const text =
      "# heading\n\n   \n\t# indented comment\nURL=https://x.test/a#frag # the url\nHASH=#notacomment\nEMPTY= # only a comment\nPW=abc#def\n";
    expect(values(text)).toEqual({ URL: "https://x.test/a#frag", HASH: "#notacomment", EMPTY: "", PW: "abc#def" });
  });

  it("keeps single quotes and backticks literal and decodes double-quote escapes", () => {
    const text = [
      String.raw`S='a\nb "x" $HOME \\'`,
      String.raw`D="line1\nline2\ttab \"q\" back\\slash cr\r dollar\$ unknown\q"`,
      'B=`it\'s "both" \\n`',
    ].join("\n");
    expect(values(text)).toEqual({
      S: String.raw`a\nb "x" $HOME \\`,
      D: 'line1\nline2\ttab "q" back\\slash cr\r dollar$ unknown\\q',
      B: 'it\'s "both" \\n',
    });
  });

  it("reads multi-line double-quoted and backtick values and keeps line numbers right", () => {
    const text = 'KEY="-----BEGIN-----\nabc\n-----END-----"\nB=`x\ny`\nAFTER=1\n';
    const { entries } = parseDotenv(text);
    expect(entries).toEqual([
      { key: "KEY", value: "-----BEGIN-----\nabc\n-----END-----", line: 1 },
      { key: "B", value: "x\ny", line: 4 },
      { key: "AFTER", value: "1", line: 6 },
    ]);
  });

  it("allows a comment after a closing quote", () => {
    expect(values("A='x y' # note\nB=\"z\"\t#n")).toEqual({ A: "x y", B: "z" });
  });

  it("handles empty values, CRLF line endings, a BOM and keys with dots and dashes", () => {
    const text = "\uFEFFEMPTY=\r\nQUOTED=\"\"\r\nSINGLE=''\r\nmy.app-key=v\r\nLAST=end\r\n";
    const { entries } = parseDotenv(text);
    expect(entries.map((e) => [e.key, e.value, e.line])).toEqual([
      ["EMPTY", "", 1],
      ["QUOTED", "", 2],
      ["SINGLE", "", 3],
      ["my.app-key", "v", 4],
      ["LAST", "end", 5],
    ]);
  });

  it("never expands variables or runs commands, and warns about references", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dotenv text, not a template
    const text = 'A=$HOME\nB="${USER} $(touch /tmp/coffer-pwned)"\nC=\'$HOME\'\nD="\\$HOME"\nE=cost$5\n';
    const result = parseDotenv(text);
    expect(values(text)).toEqual({
      A: "$HOME",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: dotenv text, not a template
      B: "${USER} $(touch /tmp/coffer-pwned)",
      C: "$HOME",
      D: "$HOME",
      E: "cost$5",
    });
    expect(result.warnings.map((w) => [w.code, w.line, w.key])).toEqual([
      ["UNEXPANDED_REFERENCE", 1, "A"],
      ["UNEXPANDED_REFERENCE", 2, "B"],
    ]);
  });

  it("lets the last duplicate win and warns with the line, never the value", () => {
    const result = parseDotenv("TOKEN=first-secret-value\nOTHER=x\nTOKEN=second-secret-value\n");
    expect(result.entries).toEqual([
      { key: "TOKEN", value: "second-secret-value", line: 3 },
      { key: "OTHER", value: "x", line: 2 },
    ]);
    expect(result.warnings).toHaveLength(1);
    const [warning] = result.warnings;
    expect(warning).toMatchObject({ code: "DUPLICATE_KEY", line: 3, key: "TOKEN" });
    expect(warning!.message).toContain("line 1");
    expect(warning!.message).not.toContain("secret-value");
  });

  it.each([
    ["a line without =", "OK=1\nsk_live_supersecretvalue\n", 2, "expected KEY=value"],
    ["a key with a space", "MY KEY=supersecretvalue", 1, "expected KEY=value"],
    ["a key starting with a digit", "A=1\n\n1KEY=supersecretvalue", 3, "invalid key"],
    ["an empty key", "=supersecretvalue", 1, "invalid key"],
    ["export without assignment", "export supersecretvalue", 1, "expected KEY=value"],
    ["an unterminated double quote", 'A=1\nB="supersecretvalue\nC=2\n', 2, "unterminated double-quoted"],
    ["an unterminated single quote", "B='supersecretvalue", 1, "unterminated single-quoted"],
    ["an unterminated backtick", "B=`supersecretvalue", 1, "unterminated backtick"],
    ["text after a closing quote", "A=1\nB='supersecret'value", 2, "unexpected text after the closing '"],
  ])("rejects %s with INVALID_ARGUMENT naming the line, not the value", (_label, text, line, problem) => {
    const err = parseError(text);
    expect(err.code).toBe("INVALID_ARGUMENT");
    expect(err.message).toContain(`line ${line}`);
    expect(err.message).toContain(problem);
    expect(err.details.line).toBe(line);
    expect(err.message).not.toContain("supersecret");
    expect(JSON.stringify(err.toJSON())).not.toContain("supersecret");
  });

  it("returns nothing for an empty or comment-only file", () => {
    expect(parseDotenv("")).toEqual({ entries: [], warnings: [] });
    expect(parseDotenv("# nothing\n\n")).toEqual({ entries: [], warnings: [] });
  });
});

describe("formatDotenv", () => {
  it("writes plain values unquoted and picks the lightest quoting that round-trips", () => {
    const text = formatDotenv([
      { key: "PLAIN", value: "sk_live_abc-123/x.y:z@h%2B+,=" },
      { key: "EMPTY", value: "" },
      { key: "SPACES", value: "  padded # not a comment $HOME " },
      { key: "QUOTE", value: 'it\'s "quoted" \\ $HOME `x`' },
      { key: "MULTI", value: "a\r\nb" },
    ]);
    expect(text).toBe(
      [
        "PLAIN=sk_live_abc-123/x.y:z@h%2B+,=",
        "EMPTY=",
        "SPACES='  padded # not a comment $HOME '",
        String.raw`QUOTE="it's \"quoted\" \\ \$HOME ` + '`x`"',
        String.raw`MULTI="a\r\nb"`,
        "",
      ].join("\n"),
    );
    expect(parseDotenv(text).warnings).toEqual([]);
  });

  it("writes nothing for no entries", () => {
    expect(formatDotenv([])).toBe("");
  });

  it("rejects bad keys, duplicate keys and lone surrogates without quoting the value", () => {
    const attempts: Array<[Array<{ key: string; value: string }>, string]> = [
      [[{ key: "BAD KEY", value: "supersecret" }], "must match"],
      [[{ key: "", value: "supersecret" }], "must match"],
      [
        [
          { key: "A", value: "supersecret" },
          { key: "A", value: "supersecret2" },
        ],
        "more than once",
      ],
      [[{ key: "A", value: "supersecret\uD800" }], "well-formed Unicode"],
    ];
    for (const [entries, problem] of attempts) {
      let caught: unknown;
      try {
        formatDotenv(entries);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(CofferError);
      expect((caught as CofferError).code).toBe("INVALID_ARGUMENT");
      expect((caught as CofferError).message).toContain(problem);
      expect((caught as CofferError).message).not.toContain("supersecret");
    }
  });

  const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,24}$/);
  const trickyChar = fc.constantFrom(
    '"',
    "'",
    "`",
    "\\",
    "\n",
    "\r",
    " ",
    "\t",
    "#",
    "$",
    "{",
    "(",
    "=",
    "a",
    "Z",
    "0",
    "é",
    "😀",
    "\uFEFF",
    "\0",
    "\u2028",
  );
  const value = fc.oneof(fc.string({ unit: "binary" }), fc.string({ unit: trickyChar, maxLength: 30 }));

  it("round-trips any key and value byte-exact (property)", () => {
    fc.assert(
      fc.property(key, value, (k, v) => {
        const { entries } = parseDotenv(formatDotenv([{ key: k, value: v }]));
        expect(entries).toEqual([{ key: k, value: v, line: 1 }]);
      }),
      { numRuns: 2000 },
    );
  });

  it("round-trips whole files of entries (property)", () => {
    const file = fc.uniqueArray(fc.record({ key, value }), { selector: (e) => e.key, maxLength: 12 });
    fc.assert(
      fc.property(file, (assignments) => {
        const parsed = parseDotenv(formatDotenv(assignments));
        expect(parsed.entries.map(({ key: k, value: v }) => ({ key: k, value: v }))).toEqual(assignments);
        expect(parsed.warnings.filter((w) => w.code === "DUPLICATE_KEY")).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it("round-trips when the file is saved with CRLF line endings", () => {
    fc.assert(
      fc.property(key, value, (k, v) => {
        const crlf = formatDotenv([{ key: k, value: v }]).replace(/\n/g, "\r\n");
        expect(parseDotenv(crlf).entries[0]?.value).toBe(v);
      }),
      { numRuns: 500 },
    );
  });
});
