import { toEnvVarName } from "@coffer/core";
import { describeProviderConformance } from "@coffer/provider-conformance";
import { env } from "../src/index.js";

// A source record that also holds Coffer's internal variables and unrelated ones, as a real
// environment does; the read-only suite seeds secrets into it.
describeProviderConformance("env", async () => {
  const source: Record<string, string> = {
    COFFER_MASTER_KEY: "internal-master-key-never-exposed",
    COFFER_HOME: "/home/someone/.coffer",
    PATH: "/usr/bin:/bin",
  };
  return {
    provider: env({ source }),
    seed: async (entries) => {
      for (const entry of entries) source[`COFFER_SECRET_${toEnvVarName(entry.name)}`] = entry.value;
    },
  };
});

// The default source: this process's real environment.
describeProviderConformance(
  "env (process.env)",
  async () => {
    const seeded: string[] = [];
    return {
      provider: env({ name: "env-process" }),
      seed: async (entries) => {
        for (const entry of entries) {
          const variable = `COFFER_SECRET_${toEnvVarName(entry.name)}`;
          process.env[variable] = entry.value;
          seeded.push(variable);
        }
      },
      cleanup: async () => {
        for (const variable of seeded) delete process.env[variable];
      },
    };
  },
  { keyPrefix: "cf_process_env_" },
);
