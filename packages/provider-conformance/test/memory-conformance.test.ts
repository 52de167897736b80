import { describeProviderConformance } from "../src/index.js";
import { memoryProvider, readOnlyMemoryProvider } from "./memory-provider.js";

// The reference provider with every capability: every case runs its full checks.
describeProviderConformance("memory", async () => ({ provider: memoryProvider() }));

// A writable provider that lacks most optional capabilities: the cases check it says so truthfully.
describeProviderConformance(
  "memory (minimal)",
  async () => ({
    provider: memoryProvider({
      name: "memory-minimal",
      capabilities: {
        softDelete: false,
        purge: false,
        versions: false,
        conditionalWrite: false,
        binary: false,
        metadata: false,
        envs: false,
        scopes: ["global", "project"],
      },
    }),
  }),
  { skip: ["restore", "purge", "history", "read-version"], listPageSize: 10 },
);

// A read-only provider: the reduced suite reads secrets put in place through seed.
describeProviderConformance("memory (read-only)", async () => readOnlyMemoryProvider(), { keyPrefix: "ro_suite_" });
