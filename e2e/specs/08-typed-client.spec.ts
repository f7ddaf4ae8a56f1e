/**
 * Another workspace app calling the API with full types: `createLockerClient` from
 * `@evidence-locker/server/client` against the real built server. The calls below are checked by
 * the e2e package's type check (a wrong procedure name or input fails `pnpm typecheck`).
 */
import { createLockerClient } from '@evidence-locker/server/client';
import { expect, test } from '../support/test.ts';

test('a typed client sets up a fresh instance and reads its dashboard', async ({ locker }) => {
  const client = createLockerClient(locker.url);

  const before = await client.setup.state.query();
  expect(before).toMatchObject({ configured: false, hasAdminPassword: false });

  await client.setup.completeSetup.mutate({
    modemType: 'fritzbox',
    modemUrl: 'http://192.168.178.1',
    modemUser: 'admin',
    modemPassword: 'typed-client-password',
  });

  const dashboard = await client.dashboard.summary.query();
  expect(dashboard.configured).toBe(true);
  expect(dashboard.modem?.type).toBe('fritzbox');
  const snapshots: number | undefined = dashboard.databases.history.tables?.['snapshots'];
  expect(snapshots).toBe(0);
});
