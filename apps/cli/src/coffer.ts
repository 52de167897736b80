// Entry of the `coffer` bin: keep this module tiny. It turns on Node's compile cache before the
// bundle is loaded, so the bundle's compiled code is reused across runs.
import * as nodeModule from "node:module";

nodeModule.enableCompileCache?.();

process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  // `coffer list | head`: the reader went away; that is not a failure worth a trace.
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});

// require(), not import(): a CommonJS bundle loaded through import() is first scanned for its
// export names, which costs milliseconds on every run.
const { main } = nodeModule.createRequire(import.meta.url)("./coffer-main.cjs") as typeof import("./main.js");
const code = await main(process.argv.slice(2));
process.exitCode = code;
// Some SDK clients keep sockets open; never let them hold the process after the work is done.
setTimeout(() => process.exit(code), 2000).unref();
