import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nextRunOf, Scheduler } from '../../src/schedule/Scheduler.js';
import { JobRuns } from '../../src/store/JobRuns.js';
import { Store } from '../../src/store/Store.js';
import { tempDir } from '../helpers/tempDir.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Scheduler', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  let scheduler: Scheduler;
  const logged: Array<{ event?: string; job?: string }> = [];

  beforeEach(() => {
    dir = tempDir();
    store = Store.open(join(dir.path, 't.db'));
    logged.length = 0;
    const logger = pino({ level: 'debug' }, { write: (line: string) => void logged.push(JSON.parse(line) as { event?: string }) });
    scheduler = new Scheduler(new JobRuns(store.db), logger);
  });
  afterEach(async () => {
    await scheduler.stop();
    store.close();
    dir.cleanup();
  });

  it('runs jobs on their schedule, one at a time, never two of one job at once', async () => {
    let running = 0;
    let most = 0;
    const runs: string[] = [];
    const slow = (name: string) => async () => {
      running++;
      most = Math.max(most, running);
      runs.push(name);
      await sleep(1300); // longer than the schedule's second
      running--;
    };
    scheduler.add('a', '* * * * * *', slow('a'));
    scheduler.add('b', '* * * * * *', slow('b'));
    scheduler.start();
    await sleep(3200);
    expect(most).toBe(1);
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.filter((r) => r === 'a').length).toBeLessThanOrEqual(2);
  });

  it("logs and records a job's failure, and goes on", async () => {
    let calls = 0;
    scheduler.add('flaky', null, () => {
      calls++;
      if (calls === 1) throw new Error('the disk is full');
      return 'fine';
    });
    await scheduler.run('flaky');
    expect(logged.some((l) => l.event === 'job-failed' && l.job === 'flaky')).toBe(true);
    expect(new JobRuns(store.db).list()).toMatchObject([{ name: 'flaky', outcome: 'failed', detail: 'the disk is full', runs: 1 }]);
    await scheduler.run('flaky');
    expect(new JobRuns(store.db).list()).toMatchObject([{ name: 'flaky', outcome: 'ok', detail: 'fine', runs: 2 }]);
  });

  it('does not queue a job again while it waits or runs', async () => {
    let calls = 0;
    scheduler.add('once', null, async () => {
      calls++;
      await sleep(50);
    });
    await Promise.all([scheduler.run('once'), scheduler.run('once'), scheduler.run('once')]);
    expect(calls).toBe(1);
  });

  it('reads schedules in Taiwan time', () => {
    const next = nextRunOf('0 9 * * *')!;
    // 09:00 in Taipei is 01:00 UTC.
    expect(next.getUTCHours()).toBe(1);
    expect(next.getUTCMinutes()).toBe(0);
    expect(scheduler.list()).toEqual([]);
  });
});
