/** Types of docsight-fixtures.mjs (plain JavaScript so scripts without tsx can import it). */

/** (a) `a-real-1m`: real data, modem configured, no admin password; (b) `b-demo-1m`: a demo-mode instance. */
export type DocsightFixtureName = 'a-real-1m' | 'b-demo-1m';

/** One reference fixture, absolute paths. */
export interface DocsightFixture {
  readonly name: DocsightFixtureName;
  /** test/fixtures/docsight/<name>. */
  readonly dir: string;
  /** The archive DOCSight wrote (`docsight_backup_….tar.gz`). */
  readonly archive: string;
  /** `expected.json`: an inspection of the archive (members, meta, per-database counts, config). */
  readonly expected: string;
  /** `datadir.json`: a summary of the data directory the archive was made from. */
  readonly dataDirSummary: string;
}

/** test/fixtures/docsight, absolute. */
export declare const DOCSIGHT_FIXTURES_DIR: string;
/** Every fixture's name. */
export declare const DOCSIGHT_FIXTURE_NAMES: readonly DocsightFixtureName[];
/** One fixture's paths; throws for an unknown name. */
export declare function docsightFixture(name: DocsightFixtureName): DocsightFixture;
