import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hasSigkillPending, isThreadEnding, parseProcStat, processState } from './process-state.ts';
import { startUnreapedProcess } from '@evidence-locker/core/testing/unreaped-process';

/** Lines as /proc shows them (a `node` thread running, the same thread in do_exit). */
const RUNNING_STAT = '4242 (node (main)) S 4200 4200 4100 0 -1 4194560 9000 0 0 0 60 12 0 0 20 0 11 0 78661 1167360000 30000';
const EXITING_STAT = '4242 (node (main)) R 1 4200 4100 0 -1 4227084 9000 0 0 0 60 12 0 0 20 0 2 0 78661 0 0';
const status = (sigPnd: string, shdPnd = '0000000000000000') =>
  `Name:\tnode\nState:\tS (sleeping)\nSigPnd:\t${sigPnd}\nShdPnd:\t${shdPnd}\n`;

describe('processState', () => {
  it('reads the state, flags and start time past a command name with spaces and parentheses', () => {
    expect(parseProcStat(RUNNING_STAT)).toEqual({ state: 'S', flags: 4194560, start: 78661 });
  });

  it('counts a thread as ending once it is exiting, a zombie or has SIGKILL pending', () => {
    expect(isThreadEnding(parseProcStat(RUNNING_STAT), status('0000000000000000'))).toBe(false);
    // SIGINT (bit 2) pending is not fatal yet: a handler may run.
    expect(isThreadEnding(parseProcStat(RUNNING_STAT), status('0000000000000002'))).toBe(false);
    expect(isThreadEnding(parseProcStat(RUNNING_STAT), status('0000000000000100'))).toBe(true);
    expect(isThreadEnding(parseProcStat(EXITING_STAT), status('0000000000000000'))).toBe(true);
    expect(isThreadEnding({ state: 'Z', flags: 0, start: 1 }, status('0000000000000000'))).toBe(true);
    expect(hasSigkillPending(status('0000000000000000', '0000000000000100'), 'ShdPnd')).toBe(true);
    expect(hasSigkillPending(status('0000000000000100', '0000000000000000'), 'ShdPnd')).toBe(false);
  });

  it('sees this process running, with the start time /proc gives', () => {
    const start = parseProcStat(readFileSync('/proc/self/stat', 'utf8')).start;
    expect(processState(process.pid)).toEqual({ kind: 'running', start });
  });

  it('sees a killed process that nobody has reaped yet (a zombie) as ending', async () => {
    const zombie = await startUnreapedProcess();
    try {
      expect(processState(zombie.pid)).toEqual({ kind: 'ending', start: zombie.start });
    } finally {
      zombie.release();
    }
  });

  it('sees a process that has exited and been reaped as gone', async () => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await new Promise((resolve) => child.once('exit', resolve));
    expect(processState(child.pid!)).toEqual({ kind: 'gone' });
  });
});
