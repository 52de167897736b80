import { writeSync } from "node:fs";
import { Writable } from "node:stream";

let stdoutReady = false;

/**
 * `process.stdout`, with the handler that ends the process quietly when the reader went away
 * (`coffer list | head`), for output that must go through the stream.
 */
export function stdoutStream(): NodeJS.WriteStream {
  if (!stdoutReady) {
    stdoutReady = true;
    process.stdout.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EPIPE") process.exit(0);
      throw err;
    });
  }
  return process.stdout;
}

function streamOf(fd: 1 | 2): NodeJS.WriteStream {
  return fd === 1 ? stdoutStream() : process.stderr;
}

/**
 * Write bytes to standard output (1) or error (2), synchronously, as Node's own streams do on
 * POSIX for files, pipes and terminals, but without building `process.stdout` (a socket over
 * the pipe and the `net` module: a millisecond or two on every command). A reader of stdout
 * that went away ends the process with status 0, as before; a full non-blocking descriptor,
 * stderr's errors, and Windows go through the stream.
 */
function writeBytes(fd: 1 | 2, bytes: Uint8Array): void {
  if (process.platform === "win32" || (fd === 1 && stdoutReady)) {
    streamOf(fd).write(bytes);
    return;
  }
  let offset = 0;
  try {
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
  } catch (err) {
    if (fd === 1 && (err as NodeJS.ErrnoException).code === "EPIPE") process.exit(0);
    if (fd === 1 && (err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
    streamOf(fd).write(bytes.subarray(offset));
  }
}

/** Write text to standard output (see {@link writeBytes}). */
export function writeStdout(text: string): void {
  writeBytes(1, Buffer.from(text, "utf8"));
}

/**
 * A writable stream onto standard output (1) or error (2) that writes as {@link writeStdout}
 * does: `process.stdout`/`process.stderr` are only built if a write needs them (the masked
 * output of `coffer run`'s command, which often prints nothing).
 */
export function outputStream(fd: 1 | 2): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      try {
        writeBytes(fd, chunk);
        done();
      } catch (err) {
        done(err as Error);
      }
    },
  });
}
