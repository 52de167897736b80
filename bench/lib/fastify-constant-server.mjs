// Baseline for the REST figures: a bare Fastify server (the framework coffer-server uses) with
// one constant route shaped like GET /v1/secrets/{name}. Prints its URL on stdout.
import { requireFrom } from "./workspace.mjs";

const Fastify = requireFrom("apps/server")("fastify");
const app = Fastify({ logger: false });
const body = {
  name: "BENCH_REST_SECRET",
  scope: { kind: "global" },
  scopeLabel: "global",
  version: 1,
  encoding: "utf-8",
  provider: "local",
  maskedValue: "sk_b****def",
};
app.get("/v1/secrets/:name", async () => body);
const address = await app.listen({ host: "127.0.0.1", port: 0 });
console.log(`listening at ${address}`);
process.on("SIGTERM", () => app.close().then(() => process.exit(0)));
