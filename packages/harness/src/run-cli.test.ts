import path from 'node:path';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { runCli, runCliJson } from './run-cli.ts';

describe('runCli (the built CLI)', () => {
  it('runs a command to its end with all of its output', async () => {
    const run = await runCli(['help']);
    expect(run).toMatchObject({ code: 0, signal: null });
    expect(run.stdout).toContain('Usage: pnpm locker <command>');
    expect(run.seconds).toBeGreaterThan(0);
  });

  it('throws with the output when the command fails, or resolves with the failure when allowed', async () => {
    await expect(runCli(['inspect', '--no-such-option'])).rejects.toThrow(/exited with 2:\n[^]*Unknown option '--no-such-option'/);
    const run = await runCli(['inspect', '--no-such-option'], { allowFailure: true });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Unknown option '--no-such-option'");
  });

  it('parses the answer of a --json command', async () => {
    const run = await runCliJson<{ ok: boolean; exists: boolean }>([
      'inspect',
      '--data-dir',
      path.join(os.tmpdir(), 'el-no-such-data-dir'),
    ]);
    expect(run.json).toMatchObject({ ok: true, exists: false });
  });
});
