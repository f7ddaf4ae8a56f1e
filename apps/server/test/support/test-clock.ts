/**
 * A scheduler clock whose time moves only when a test says so; due timers fire in order (the
 * schedules' SchedulerClock: backup-scheduler.ts).
 */
import type { SchedulerClock } from '../../src/schedule/backup-scheduler.ts';

export class TestClock implements SchedulerClock {
  time: number;
  #nextId = 1;
  #timers = new Map<number, { at: number; callback: () => void }>();

  constructor(start = Date.now()) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.time + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      const due = [...this.#timers.entries()].filter(([, timer]) => timer.at <= target).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.#timers.delete(due[0]);
      this.time = Math.max(this.time, due[1].at);
      due[1].callback();
    }
    this.time = target;
  }
}
