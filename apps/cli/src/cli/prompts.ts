import { CofferError } from "@coffer/core";

/** Thrown when the user interrupts a prompt with Ctrl-C or Ctrl-D. */
export class PromptInterrupted extends Error {
  constructor() {
    super("interrupted");
    this.name = "PromptInterrupted";
  }
}

/**
 * Read a line without echo from the terminal on stdin (raw mode). Backspace and Ctrl-U edit;
 * Ctrl-C and Ctrl-D on an empty line interrupt.
 * @throws PromptInterrupted
 */
export function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let value = "";
    const finish = (result: () => void) => {
      stdin.off("data", onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      process.stderr.write("\n");
      result();
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") return finish(() => resolve(value));
        if (ch === "\u0003" || (ch === "\u0004" && value === "")) return finish(() => reject(new PromptInterrupted()));
        if (ch === "\u0004") return finish(() => resolve(value));
        if (ch === "\u007f" || ch === "\b") value = [...value].slice(0, -1).join("");
        else if (ch === "\u0015") value = "";
        else if (ch >= " " || ch === "\t") value += ch;
      }
    };
    stdin.setEncoding("utf8");
    stdin.setRawMode?.(true);
    stdin.on("data", onData);
    stdin.resume();
  });
}

/**
 * Ask a question on the terminal and read one (echoed) line.
 * @throws PromptInterrupted at end of input
 */
export function promptLine(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let buffer = "";
    const finish = () => {
      stdin.off("data", onData);
      stdin.off("end", onEnd);
      stdin.pause();
    };
    const onData = (chunk: string) => {
      buffer += chunk;
      const nl = buffer.search(/[\r\n]/);
      if (nl !== -1) {
        finish();
        resolve(buffer.slice(0, nl));
      }
    };
    const onEnd = () => {
      finish();
      reject(new PromptInterrupted());
    };
    stdin.setEncoding("utf8");
    stdin.on("data", onData);
    stdin.on("end", onEnd);
    stdin.resume();
  });
}

/** True for `y` / `yes` (any case). */
export function isYes(answer: string): boolean {
  return /^\s*(y|yes)\s*$/i.test(answer);
}

/**
 * Read all of stdin (piped input) as text, at most `maxBytes`.
 * @throws CofferError TOO_LARGE
 */
export async function readAllStdin(maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > maxBytes) {
      process.stdin.destroy();
      throw new CofferError("TOO_LARGE", `input on stdin exceeds ${maxBytes} bytes`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString("utf8");
}
