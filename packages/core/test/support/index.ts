/**
 * `@evidence-locker/core/testing`: what the tests of other packages (server, e2e, reliability,
 * bench, container) need from core's test support, so none of them reaches into core's `test/`.
 */
export * from './docsight-fixtures.mjs';
