import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PROC_STAT, procCpuSeconds, procState, readProcStat } from '../../src/fs/procStat.js';

describe('readProcStat', () => {
  let dir: string | null = null;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = null;
  });

  /** A stat line as Linux writes it, for a command named `name`: fields 3 to 19 numbered by their place. */
  function statFile(name: string): string {
    dir = mkdtempSync(join(tmpdir(), 'turnkey-procstat-'));
    const path = join(dir, 'stat');
    const rest = Array.from({ length: 50 }, (_, i) => String(i + 3));
    writeFileSync(path, `4242 (${name}) ${rest.join(' ')}\n`);
    return path;
  }

  it('counts fields as proc(5) does, past a command name holding spaces and parentheses', () => {
    const stat = readProcStat(statFile('node ) (worker 1)'))!;
    expect(stat(PROC_STAT.ppid)).toBe(4);
    expect(stat(PROC_STAT.session)).toBe(6);
    expect(stat(PROC_STAT.nice)).toBe(19);
  });

  it('adds user and system ticks into seconds', () => {
    expect(procCpuSeconds(statFile('turnkey'))).toBeCloseTo((14 + 15) / 100, 10);
  });

  it('reads the state letter past such a command name', () => {
    dir = mkdtempSync(join(tmpdir(), 'turnkey-procstat-'));
    const path = join(dir, 'stat');
    writeFileSync(path, '4242 (sh ) S (x) T 1 4242 4242 0 -1\n');
    expect(procState(path)).toBe('T');
  });

  it('is null for a process that is gone', () => {
    expect(readProcStat('/proc/4194305/stat')).toBeNull();
    expect(procCpuSeconds('/proc/4194305/stat')).toBeNull();
    expect(procState('/proc/4194305/stat')).toBeNull();
  });

  // Not the session: where its leader is outside the PID namespace (CI's container), Linux writes 0.
  it.runIf(process.platform === 'linux')('reads this process: its parent and its nice value as the system calls give them', () => {
    const stat = readProcStat('/proc/self/stat')!;
    expect(stat(PROC_STAT.ppid)).toBe(process.ppid);
    expect(stat(PROC_STAT.nice)).toBe(getPriority());
    // This process is reading the file: running.
    expect(procState('/proc/self/stat')).toBe('R');
  });
});
