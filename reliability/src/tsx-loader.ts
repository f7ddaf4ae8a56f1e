/**
 * The `--import` argument that runs a TypeScript entry file in a plain `node` child process through
 * tsx's loader (resolved from this package, so it works whatever the child's working directory).
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

/** `['--import', <tsx loader URL>]`: put it before the script path in a `node` argument list. */
export function tsxImportArgs(): string[] {
  return ['--import', pathToFileURL(require.resolve('tsx')).href];
}
