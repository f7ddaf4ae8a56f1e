#!/usr/bin/env node
// `pnpm locker-dev …`: the CLI run from its TypeScript sources through tsx's loader, for development
// (no build step; slower to start, worker threads included). Users run `pnpm locker` (bin/locker).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
