import { cofferVitestConfig } from "../../vitest.shared.js";

export default cofferVitestConfig({ testTimeout: 30_000 });
