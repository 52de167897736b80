// Start a server process and wait for its "listening at URL" line.
import { spawn } from "node:child_process";

/** Spawn `args` with node; resolves `{ url, stop, output }` once it prints `listening at URL`. */
export function startListening(args, { env, cwd, timeoutMs = 30_000 } = {}) {
  const child = spawn(process.execPath, args, { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`no "listening at" line within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk) => {
      output = (output + chunk.toString("utf8")).slice(-20_000);
      const m = /listening at (https?:\/\/[A-Za-z0-9.:[\]-]+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        child.stdout.off("data", onData);
        child.stdout.resume();
        resolve({
          url: m[1].replace(/\/$/, ""),
          output: () => output,
          async stop() {
            if (child.exitCode !== null || child.signalCode !== null) return;
            child.kill("SIGTERM");
            const t = setTimeout(() => child.kill("SIGKILL"), 5000);
            await exited;
            clearTimeout(t);
          },
        });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (chunk) => {
      output = (output + chunk.toString("utf8")).slice(-20_000);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening:\n${output}`));
    });
  });
}
