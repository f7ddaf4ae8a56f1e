/**
 * Public surface of the Evidence Locker backup engine. Everything a CLI, a server or a test needs
 * is exported from here; nothing in this package knows about HTTP, tRPC or Vue.
 */
export * from './errors.ts';
export * from './data-dir-layout.ts';
