import { spawn } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CofferError } from "../src/errors/index.js";
import { createRedactingStream, createRedactor, maskValue, redactText } from "../src/redact/index.js";

describe("maskValue", () => {
  it("matches the reference output: known prefix, stars, last three characters", () => {
    expect(maskValue("sk_live_abcdefghijklmnopqrstuvwxyz0xyz")).toBe("sk_live_***************************xyz");
  });

  it("keeps the length visible as stars up to 32", () => {
    expect(maskValue("abcdefghij")).toBe("*******hij");
    expect(maskValue("x".repeat(100) + "end")).toBe(`${"*".repeat(32)}end`);
    expect(maskValue(`sk_live_abcdefghijklmnopqrstuvwxyz0123456xyz`)).toBe(`sk_live_${"*".repeat(32)}xyz`);
  });

  it("masks values of 6 characters or fewer entirely", () => {
    expect(maskValue("")).toBe("");
    expect(maskValue("abc")).toBe("***");
    expect(maskValue("abcdef")).toBe("******");
    expect(maskValue("abcdefg")).toBe("****efg");
  });

  it("shows a known prefix only when at least 8 characters stay hidden", () => {
    expect(maskValue("ghp_abcdefghXYZ")).toBe("ghp_********XYZ");
    expect(maskValue("ghp_abcdefgXYZ")).toBe("***********XYZ");
    expect(maskValue("xoxb-123456789-abc")).toBe("xoxb-**********abc");
    expect(maskValue("sk-proj-abcdefghijkl123")).toBe("sk-proj-************123");
    expect(maskValue("sk-abcdefgh123")).toBe("sk-********123");
    expect(maskValue("notaprefix_abcdefgh123")).toBe("*******************123");
  });

  it("honours visibleSuffix but never shows more than half the value", () => {
    expect(maskValue("abcdefghijklmnop", { visibleSuffix: 0 })).toBe("****************");
    expect(maskValue("abcdefghijklmnop", { visibleSuffix: 5 })).toBe("***********lmnop");
    expect(maskValue("abcdefgh", { visibleSuffix: 6 })).toBe("****efgh");
    expect(() => maskValue("abcdefgh", { visibleSuffix: -1 })).toThrow(CofferError);
    expect(() => maskValue("abcdefgh", { visibleSuffix: 1.5 })).toThrow(/visibleSuffix/);
  });

  it("never splits a surrogate pair", () => {
    expect(maskValue("pässwörd🔑🔑🔑")).toBe("********🔑🔑🔑");
  });
});

describe("createRedactor", () => {
  it("masks values inside one chunk and names them when names are given", () => {
    const names = new Map([["sk_live_abcdef123", "STRIPE_KEY"]]);
    const text = redactText("key=sk_live_abcdef123 db=hunter2hunter2\n", ["sk_live_abcdef123", "hunter2hunter2"], {
      names,
    });
    expect(text).toBe("key=[REDACTED:STRIPE_KEY] db=[REDACTED]\n");
  });

  it("uses the given replacement for unnamed values", () => {
    expect(redactText("a secretvalue b", ["secretvalue"], { replacement: "****" })).toBe("a **** b");
  });

  it("catches a value split across chunks and releases other text promptly", () => {
    const redactor = createRedactor(["supersecret"]);
    expect(redactor.transform("line one\nvalue: sup")).toBe("line one\nvalue: ");
    expect(redactor.transform("ersec")).toBe("");
    expect(redactor.transform("ret and more\nsu")).toBe("[REDACTED] and more\n");
    expect(redactor.transform("rely")).toBe("surely");
    expect(redactor.flush()).toBe("");
  });

  it("writes the replacement as soon as a value is complete", () => {
    const redactor = createRedactor(["supersecret", "abcd", "cdef"]);
    expect(redactor.transform("key=supersecret")).toBe("key=[REDACTED]");
    // "cd" may still grow into the overlapping "cdef": the run is announced, its end stays open.
    expect(redactor.transform(" xabcd")).toBe(" x[REDACTED]");
    expect(redactor.transform("efy")).toBe("y");
    expect(redactor.flush()).toBe("");
  });

  it("releases a held tail at flush when the input ends mid-value", () => {
    const redactor = createRedactor(["supersecret"]);
    expect(redactor.transform("end: super")).toBe("end: ");
    expect(redactor.flush()).toBe("super");
  });

  it("holds back at most the longest value's length minus one", () => {
    const value = "abcdefghij";
    const redactor = createRedactor([value]);
    let out = "";
    for (const ch of "xx abcdefghi") out += redactor.transform(ch);
    expect(out).toBe("xx ");
    expect(redactor.transform("X")).toBe("abcdefghiX");
  });

  it("prefers the longest value and masks overlapping occurrences as one run", () => {
    expect(redactText("abcdefgh", ["abcd", "abcdefgh"])).toBe("[REDACTED]");
    expect(redactText("xabcdefy", ["abcd", "cdef"])).toBe("x[REDACTED]y");
    expect(redactText("abcdabcd", ["abcd"])).toBe("[REDACTED][REDACTED]");
  });

  it("ignores values shorter than 4 characters", () => {
    expect(redactText("pin 123 and code abcd", ["123", "", "abcd"])).toBe("pin 123 and code [REDACTED]");
  });

  it("falls back to *** when a replacement would reveal a value", () => {
    const names = new Map([["TOKEN", "TOKEN"]]);
    expect(redactText("x TOKEN y", ["TOKEN"], { names })).toBe("x *** y");
  });

  it("rejects non-string input", () => {
    expect(() => createRedactor([42 as unknown as string])).toThrow(CofferError);
    expect(() => createRedactor(["abcd"]).transform(Buffer.from("x") as unknown as string)).toThrow(/must be a string/);
  });
});

/** Independent reference: mask the union of all occurrences, longest value labels each run. */
function maskedReference(text: string, values: string[], label: (v: string) => string): string {
  const usable = values.filter((v) => v.length >= 4);
  let out = "";
  let coveredUntil = 0;
  for (let p = 0; p < text.length; p++) {
    const here = usable.filter((v) => text.startsWith(v, p)).sort((a, b) => b.length - a.length);
    if (here.length > 0) {
      if (p >= coveredUntil) out += label(here[0]!);
      coveredUntil = Math.max(coveredUntil, p + here[0]!.length);
    }
    if (p >= coveredUntil) out += text[p];
  }
  return out;
}

/** Split `text` at the given fractions into chunks. */
function cut<T extends { length: number; slice(a: number, b?: number): T }>(text: T, cuts: number[]): T[] {
  const points = [...new Set(cuts.map((c) => Math.floor(c * text.length)))].sort((a, b) => a - b);
  const chunks: T[] = [];
  let last = 0;
  for (const p of points) {
    chunks.push(text.slice(last, p));
    last = p;
  }
  chunks.push(text.slice(last));
  return chunks;
}

const unit = fc.constantFrom("a", "b", "c", "\n", "é", "😀");
const valuesArb = fc.uniqueArray(fc.string({ unit, minLength: 1, maxLength: 9 }), { minLength: 1, maxLength: 4 });
const scenario = valuesArb.chain((values) =>
  fc.record({
    values: fc.constant(values),
    pieces: fc.array(fc.oneof(fc.string({ unit, maxLength: 6 }), fc.constantFrom(...values)), { maxLength: 12 }),
    cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 10 }),
    named: fc.boolean(),
  }),
);

describe("redaction properties", () => {
  it("masks identically however the text is chunked, and never lets a value through", () => {
    fc.assert(
      fc.property(scenario, ({ values, pieces, cuts, named }) => {
        const text = pieces.join("");
        const names = named ? new Map(values.map((v, i) => [v, `SECRET_${i}`])) : undefined;
        const label = (v: string) => (names ? `[REDACTED:${names.get(v)}]` : "[REDACTED]");
        const redactor = createRedactor(values, names ? { names } : {});
        const out =
          cut(text, cuts)
            .map((chunk) => redactor.transform(chunk))
            .join("") + redactor.flush();
        expect(out).toBe(maskedReference(text, values, label));
        for (const v of values) if (v.length >= 4) expect(out.includes(v)).toBe(false);
      }),
      { numRuns: 1500 },
    );
  });

  it("does the same on raw bytes, cut anywhere (even inside a character)", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ values, pieces, cuts }) => {
        const text = pieces.join("");
        const stream = createRedactingStream(values);
        const collected: Buffer[] = [];
        stream.on("data", (b: Buffer) => collected.push(b));
        const done = new Promise((resolve) => stream.on("end", resolve));
        for (const chunk of cut(Buffer.from(text, "utf8"), cuts)) stream.write(chunk);
        stream.end();
        await done;
        const out = Buffer.concat(collected).toString("utf8");
        expect(out).toBe(maskedReference(text, values, () => "[REDACTED]"));
      }),
      { numRuns: 400 },
    );
  });
});

describe("createRedactingStream", () => {
  it("masks a child process's output, even a value written in pieces", async () => {
    const secret = "sk_live_0123456789abcdef";
    const script = `
      const s = process.env.THE_SECRET;
      const parts = [s.slice(0, 5), s.slice(5, 11), s.slice(11)];
      process.stdout.write("starting\\n");
      let i = 0;
      const next = () => {
        if (i < parts.length) { process.stdout.write(parts[i++]); setTimeout(next, 20); }
        else process.stdout.write(" done\\nplain tail é");
      };
      next();
    `;
    const child = spawn(process.execPath, ["-e", script], {
      env: { ...process.env, THE_SECRET: secret },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const redacting = createRedactingStream([secret], new Map([[secret, "STRIPE_KEY"]]));
    const chunks: Buffer[] = [];
    redacting.on("data", (b: Buffer) => chunks.push(b));
    child.stdout.pipe(redacting);
    const exitCode = await new Promise<number | null>((resolve) => child.on("close", resolve));
    await new Promise((resolve) => (redacting.writableFinished ? resolve(undefined) : redacting.on("end", resolve)));
    expect(exitCode).toBe(0);
    const out = Buffer.concat(chunks).toString("utf8");
    expect(out).toBe("starting\n[REDACTED:STRIPE_KEY] done\nplain tail é");
    expect(out).not.toContain(secret);
  });

  it("passes binary data through unchanged", async () => {
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0x61, 0x62]);
    const stream = createRedactingStream(["secretvalue"]);
    const chunks: Buffer[] = [];
    stream.on("data", (b: Buffer) => chunks.push(b));
    const done = new Promise((resolve) => stream.on("end", resolve));
    stream.write(binary.subarray(0, 3));
    stream.write(binary.subarray(3));
    stream.end(Buffer.from(" secretvalue"));
    await done;
    expect(Buffer.concat(chunks)).toEqual(Buffer.concat([binary, Buffer.from(" [REDACTED]")]));
  });
});
