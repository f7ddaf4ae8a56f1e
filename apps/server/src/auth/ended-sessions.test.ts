import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ENDED_SESSIONS_FILE, EndedSessions } from './ended-sessions.ts';

let dir: string | undefined;
afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function tempDir(): string {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'el-ended-sessions-'));
  return dir;
}

const NOW = Date.UTC(2026, 0, 1);
const session = (id: string, daysLeft = 30) => ({ id: id.padEnd(22, 'x'), expiresAt: NOW / 1000 + daysLeft * 86_400 });

describe('EndedSessions', () => {
  it('keeps a logged-out session on disk, so a restart does not bring it back', async () => {
    const dataDir = tempDir();
    const ended = new EndedSessions(dataDir, { now: () => NOW });
    expect(await ended.load()).toBe(true);
    expect(await ended.end(session('a'))).toBe(true);
    expect(ended.has(session('a').id)).toBe(true);
    expect(ended.has(session('b').id)).toBe(false);
    const afterRestart = new EndedSessions(dataDir, { now: () => NOW });
    expect(await afterRestart.load()).toBe(true);
    expect(afterRestart.has(session('a').id)).toBe(true);
    // State, not a work file: the crash sweep (which removes `.evidence-locker-*`) leaves it alone.
    expect(fs.readdirSync(dataDir)).toEqual([ENDED_SESSIONS_FILE]);
  });

  it('forgets a session once its cookie would have expired anyway', async () => {
    const dataDir = tempDir();
    let now = NOW;
    const ended = new EndedSessions(dataDir, { now: () => now });
    await ended.load();
    await ended.end(session('short', 1));
    await ended.end(session('long', 30));
    now += 2 * 86_400_000;
    const later = new EndedSessions(dataDir, { now: () => now });
    await later.load();
    expect(later.has(session('short', 1).id)).toBe(false);
    expect(later.has(session('long').id)).toBe(true);
    expect(later.size).toBe(1);
  });

  it('says when it is full, and when its file cannot be read, so the caller ends every session', async () => {
    const dataDir = tempDir();
    const ended = new EndedSessions(dataDir, { now: () => NOW, maxEntries: 2 });
    await ended.load();
    expect(await ended.end(session('a'))).toBe(true);
    expect(await ended.end(session('b'))).toBe(true);
    expect(await ended.end(session('c'))).toBe(false);
    expect(ended.has(session('c').id)).toBe(false);
    await ended.clear();
    expect(ended.size).toBe(0);

    fs.writeFileSync(path.join(dataDir, ENDED_SESSIONS_FILE), '{"version": 1, "ended": [');
    expect(await new EndedSessions(dataDir).load()).toBe(false);
  });

  it('keeps every id when sessions end at the same moment', async () => {
    const dataDir = tempDir();
    const ended = new EndedSessions(dataDir, { now: () => NOW });
    await ended.load();
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => ended.end(session(id))));
    const reread = new EndedSessions(dataDir, { now: () => NOW });
    await reread.load();
    expect(reread.size).toBe(5);
  });
});
