/**
 * `@evidence-locker/core/testing`: what the tests of other packages (server, e2e, reliability,
 * bench, container) need from core's test support, so none of them reaches into core's `test/`.
 *
 * Each helper module here is also exported on its own as `@evidence-locker/core/testing/<name>`
 * (package.json, `./testing/*`); core's own tests beside the sources in `src/` import them that
 * way, so nothing in `src/` names a path in `test/`.
 */
export * from './docsight-fixtures.mjs';
