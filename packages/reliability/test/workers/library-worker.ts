// A separate OS process using the library (openCoffer over the workspace's COFFER_HOME), driven
// by the reliability tests. Usage: node library-worker.ts <mode> '<json config>'
// Configuration holds names and counts only: values are derived here, never passed as arguments.
// After each write the library acknowledged (the call returned), one `ACK <json>` line is printed.
import { randomBytes } from "node:crypto";
import { isCofferError } from "@coffer/core";
import { defaultAccessor, openCoffer } from "@coffer/runtime";

const [mode, rawConfig] = process.argv.slice(2);
const config = JSON.parse(rawConfig ?? "{}") as Record<string, unknown>;
const ack = (payload: unknown) => process.stdout.write(`ACK ${JSON.stringify(payload)}\n`);

/** Deterministic value of item `i` of an import with `prefix` (the parent derives the same). */
const importValue = (prefix: string, i: number) => `val-${prefix}-${i}-${"q".repeat(20)}`;

const opened = await openCoffer({ accessor: defaultAccessor("library") });
const { coffer } = opened;

async function casIncrement(name: string): Promise<{ version: number; value: number; retries: number }> {
  for (let retries = 0; ; retries++) {
    const current = await coffer.get(name, { reveal: true, purpose: "reliability counter" });
    const next = Number(current.value) + 1;
    try {
      const written = await coffer.set(name, String(next), { ifVersion: current.version });
      return { version: written.version, value: next, retries };
    } catch (err) {
      if (!isCofferError(err, "CONFLICT")) throw err;
    }
  }
}

switch (mode) {
  case "mixed": {
    // Interleave read-modify-write increments of shared counters with blind writes.
    const counters = config.counters as string[];
    const blind = config.blind as string[];
    const rounds = config.rounds as number;
    const writer = config.writer as string;
    for (let i = 0; i < rounds; i++) {
      const counter = counters[i % counters.length]!;
      const r = await casIncrement(counter);
      ack({ kind: "increment", name: counter, version: r.version, value: r.value, retries: r.retries });
      const target = blind[i % blind.length]!;
      const w = await coffer.set(target, `${writer}-${i}`);
      ack({ kind: "blind", name: target, version: w.version });
    }
    break;
  }
  case "import": {
    // One large import; onProgress fires after each item is committed.
    const prefix = config.prefix as string;
    const count = config.count as number;
    const lines: string[] = [];
    for (let i = 0; i < count; i++) lines.push(`${prefix}_${i}=${importValue(prefix, i)}`);
    process.stdout.write("READY\n");
    await coffer.import(lines.join("\n"), { onProgress: (done) => ack({ done }) });
    ack({ finished: true });
    break;
  }
  case "rotate": {
    // Rotate a set of secrets round after round until killed.
    const names = config.names as string[];
    process.stdout.write("READY\n");
    for (let round = 0; ; round++) {
      for (const name of names) {
        const value = `rot-${name}-${round}`;
        const r = await coffer.rotate(name, { value });
        ack({ name, version: r.newVersion, value });
      }
    }
  }
  case "key-rotate": {
    // Rewrap the data key under fresh master keys (key-file mode) until killed.
    if (!opened.local) throw new Error("no local store");
    process.stdout.write("READY\n");
    for (let i = 0; ; i++) {
      await opened.local.rotateMasterKey(randomBytes(32).toString("hex"));
      ack({ rotation: i });
    }
  }
  default:
    throw new Error(`unknown mode ${mode}`);
}
await coffer.dispose();
