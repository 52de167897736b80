import type { Provider } from "@coffer/core";

/** One secret a read-only provider is asked to hold, in its default state in the global scope. */
export interface SeedEntry {
  /** Secret name, as the suite will read it back. */
  name: string;
  /** UTF-8 value. */
  value: string;
}

/** What a conformance factory produces: the provider under test and how to tidy up after it. */
export interface ConformanceSubject {
  /** The provider under test. The suite calls its `dispose` (when present) once, after every case. */
  provider: Provider;
  /** Release whatever the factory created (temporary folders, emulators); runs after `dispose`. */
  cleanup?: () => Promise<void>;
  /**
   * Make the provider hold these secrets by its own means (for example by setting environment
   * variables). Required for a read-only provider (`capabilities.write` false): the read cases
   * run against seeded secrets. Writable providers are written through `set` instead.
   */
  seed?: (entries: SeedEntry[]) => Promise<void>;
}

/** How to run the suite against one provider. */
export interface ConformanceOptions {
  /**
   * Cases this provider legitimately cannot pass. A skipped case is still checked: the suite
   * asserts the provider's capabilities say it cannot (for example a skipped `restore` requires
   * `capabilities.softDelete` false and `restore` absent or throwing UNSUPPORTED). Cases every
   * provider must pass cannot be skipped. Names are those of `CONFORMANCE_CASE_NAMES`.
   * @default []
   */
  skip?: readonly string[];
  /** Page size the paging case asks for (it lists more than 100 secrets). @default 25 */
  listPageSize?: number;
  /**
   * Prefix of every secret name the suite creates; make it unique per run so several runs can
   * share one remote service or emulator.
   * @default `cf_` followed by 8 random hex characters and `_`
   */
  keyPrefix?: string;
  /** Time limit of each case in milliseconds (the paging case gets four times as much). @default 30000 */
  timeoutMs?: number;
}
