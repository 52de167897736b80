import { describeProviderConformance } from "@coffer/provider-conformance";
import { afterAll, beforeAll, describe } from "vitest";
import { MOTO_SKIP_REASON, type MotoServer, startMoto, testProvider, uniquePrefix } from "./aws-test-setup.js";

describe.skipIf(MOTO_SKIP_REASON !== undefined)("aws-secrets-manager against moto", () => {
  let moto: MotoServer | undefined;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.stop();
  });

  describeProviderConformance("aws-secrets-manager", async () => {
    if (!moto) throw new Error("moto did not start");
    return { provider: testProvider(moto.endpoint, { prefix: uniquePrefix("conformance") }) };
  });
});
