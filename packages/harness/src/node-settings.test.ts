import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NODE_SETTINGS_FILE, PRODUCTION_NODE_SETTINGS, readNodeSettings } from './node-settings.ts';

describe('the production node settings', () => {
  it('are what the launcher reads when it sources apps/server/bin/node-settings.sh', () => {
    const shell = execFileSync(
      '/bin/sh',
      ['-c', '. "$1"; printf "%s\\n%s" "$LOCKER_NODE_FLAGS" "$LOCKER_MALLOC_ARENA_MAX"', 'sh', NODE_SETTINGS_FILE],
      { encoding: 'utf8' },
    );
    const [flags, arenas] = shell.split('\n');
    expect(PRODUCTION_NODE_SETTINGS.flags).toEqual(flags!.split(' '));
    expect(PRODUCTION_NODE_SETTINGS.flags.length).toBeGreaterThan(0);
    expect(PRODUCTION_NODE_SETTINGS.env).toEqual({ MALLOC_ARENA_MAX: arenas });
  });

  it('refuses a setting it does not know, so the launcher cannot have one the harness lacks', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'el-node-settings-'));
    try {
      const file = path.join(dir, 'node-settings.sh');
      fs.writeFileSync(file, "# comment\nLOCKER_NODE_FLAGS='--a=1 --b'\nLOCKER_MALLOC_ARENA_MAX=4\n");
      expect(readNodeSettings(file)).toEqual({ flags: ['--a=1', '--b'], env: { MALLOC_ARENA_MAX: '4' } });
      fs.appendFileSync(file, 'LOCKER_UV_THREADPOOL_SIZE=2\n');
      expect(() => readNodeSettings(file)).toThrow(/node-settings\.sh:4: .*LOCKER_UV_THREADPOOL_SIZE=2/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
