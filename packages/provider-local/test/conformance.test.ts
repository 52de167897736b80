import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeProviderConformance } from "@coffer/provider-conformance";
import { local } from "../src/index.js";

// A fresh store in a temporary home (mkdtemp creates it 0700) with a random hex master key.
describeProviderConformance("local", async () => {
  const home = await mkdtemp(join(tmpdir(), "coffer-local-conformance-"));
  return {
    provider: local({ home, path: join(home, "store.db"), masterKey: randomBytes(32).toString("hex") }),
    cleanup: () => rm(home, { recursive: true, force: true }),
  };
});
