import { fileURLToPath } from "node:url";

/** Path of the library worker script (run by node directly; it imports the built packages). */
export const LIBRARY_WORKER = fileURLToPath(new URL("./workers/library-worker.ts", import.meta.url));
