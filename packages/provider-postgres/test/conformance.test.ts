import { describeProviderConformance } from "@coffer/provider-conformance";
import { afterAll, beforeAll, describe } from "vitest";
import { freshProvider, PG_SKIP_REASON, type PostgresServer, startPostgres } from "./pg-test-setup.js";

describe.skipIf(PG_SKIP_REASON !== undefined)("postgres against a real PostgreSQL", () => {
  let pg: PostgresServer | undefined;
  beforeAll(async () => {
    pg = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await pg?.stop();
  });

  describeProviderConformance("postgres", async () => {
    if (!pg) throw new Error("PostgreSQL did not start");
    return { provider: (await freshProvider(pg)).provider };
  });
});
