import { describe, expect, it } from 'vitest';
import { StabilityTracker } from '../../src/intake/StabilityTracker.js';

describe('StabilityTracker', () => {
  it('calls a file ready only once its size and mtime stayed the same for the stability time', () => {
    const t = new StabilityTracker(1000, 10);
    expect(t.observe('/a', 10, 0, 0)).toBe(false);
    expect(t.due(999, 10)).toEqual([]);
    expect(t.due(1000, 10)).toEqual(['/a']);
    expect(t.observe('/a', 10, 0, 1000)).toBe(true);
  });

  it('restarts the clock when the file grows or is touched', () => {
    const t = new StabilityTracker(1000, 10);
    t.observe('/a', 10, 0, 0);
    expect(t.due(1000, 10)).toEqual(['/a']);
    expect(t.observe('/a', 20, 990, 1000)).toBe(false);
    expect(t.due(1989, 10)).toEqual([]);
    expect(t.due(1990, 10)).toEqual(['/a']);
    expect(t.observe('/a', 20, 990, 1990)).toBe(true);
  });

  it('takes a file moved in whole (modified longer ago than the stability time) at the first look', () => {
    const t = new StabilityTracker(1000, 10);
    expect(t.observe('/old', 10, 5_000, 6_000)).toBe(true);
    expect(t.observe('/recent', 10, 5_500, 6_000)).toBe(false);
    expect(t.due(6_499, 10)).toEqual(['/old']);
    expect(t.due(6_500, 10)).toEqual(['/recent']);
  });

  it('knows whether the last look already found a file stable, so that it need not be looked at again', () => {
    const t = new StabilityTracker(1000, 10);
    t.observe('/old', 10, 5_000, 6_000);
    t.observe('/recent', 10, 5_500, 6_000);
    expect(t.stableWhenLastSeen('/old', 6_000)).toBe(true);
    // Found still young: stable by now, perhaps, but only another look can tell.
    expect(t.stableWhenLastSeen('/recent', 7_000)).toBe(false);
    expect(t.observe('/recent', 10, 5_500, 7_000)).toBe(true);
    expect(t.stableWhenLastSeen('/recent', 7_000)).toBe(true);
    // Touched since: not stable any more until it has waited again.
    t.observe('/old', 20, 6_900, 7_000);
    expect(t.stableWhenLastSeen('/old', 7_000)).toBe(false);
    // A file that could not be claimed waits out its delay.
    t.deferUntil('/recent', 8_000);
    expect(t.stableWhenLastSeen('/recent', 7_999)).toBe(false);
    expect(t.stableWhenLastSeen('/recent', 8_000)).toBe(true);
    expect(t.stableWhenLastSeen('/unknown', 8_000)).toBe(false);
  });

  it('waits the whole stability time for a file whose modification time lies in the future', () => {
    const t = new StabilityTracker(1000, 10);
    expect(t.observe('/skewed', 10, 60_000, 6_000)).toBe(false);
    expect(t.due(6_999, 10)).toEqual([]);
    expect(t.due(7_000, 10)).toEqual(['/skewed']);
    expect(t.observe('/skewed', 10, 60_000, 7_000)).toBe(true);
  });

  it('hands out the oldest file first whatever order the files were seen in, and a file still being written holds none up', () => {
    const t = new StabilityTracker(1000, 10);
    // Seen in the folder's listing order: a file being written, then files moved in at different times.
    expect(t.observe('/writing', 10, 9_900, 10_000)).toBe(false);
    expect(t.observe('/newer', 10, 8_000, 10_000)).toBe(true);
    expect(t.observe('/oldest', 10, 2_000, 10_000)).toBe(true);
    expect(t.observe('/middle', 10, 5_000, 10_000)).toBe(true);
    expect(t.due(10_000, 10)).toEqual(['/oldest', '/middle', '/newer']);
    expect(t.due(10_899, 10)).toEqual([]);
    expect(t.due(10_900, 10)).toEqual(['/writing']);
  });

  it('hands each due file out once, and again first after a requeue', () => {
    const t = new StabilityTracker(0, 10);
    t.observe('/a', 1, 1, 0);
    t.observe('/b', 1, 1, 0);
    expect(t.due(0, 1)).toEqual(['/a']);
    expect(t.due(0, 10)).toEqual(['/b']);
    expect(t.due(0, 10)).toEqual([]);
    t.requeue('/b', 0);
    expect(t.due(0, 10)).toEqual(['/b']);
  });

  it('does not hand out a deferred file before its time', () => {
    const t = new StabilityTracker(0, 10);
    t.observe('/a', 1, 1, 0);
    expect(t.due(0, 10)).toEqual(['/a']);
    t.deferUntil('/a', 500);
    expect(t.due(499, 10)).toEqual([]);
    expect(t.nextDueAt()).toBe(500);
    expect(t.due(500, 10)).toEqual(['/a']);
  });

  it('forgets files and says when it is full', () => {
    const t = new StabilityTracker(0, 2);
    t.observe('/a', 1, 1, 0);
    t.observe('/b', 1, 1, 0);
    expect(t.full).toBe(true);
    t.forget('/a');
    expect(t.full).toBe(false);
    expect(t.due(0, 10)).toEqual(['/b']);
  });
});
