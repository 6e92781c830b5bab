import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/build.js';
import { defineFailpoints, FailpointSpecError, parseFailpoints } from '../../src/failpoints/failpoints.js';
import { INTAKE_FAILPOINTS } from '../../src/intake/intakeFailpoints.js';

describe('failpoints', () => {
  beforeAll(() => ensureBuilt(), 180_000);
  it('parses names with an optional hit number', () => {
    expect([...parseFailpoints('after-record, mid-move@3')]).toEqual([
      ['after-record', 1],
      ['mid-move', 3],
    ]);
    expect(parseFailpoints(undefined).size).toBe(0);
  });

  it('refuses an unknown failpoint so a typo cannot silently test nothing', () => {
    expect(() => parseFailpoints('after-recrod')).toThrowError(FailpointSpecError);
    expect(() => parseFailpoints('after-record@0')).toThrowError(FailpointSpecError);
  });

  it('names a failpoint for every step boundary of intake', () => {
    expect(Object.keys(INTAKE_FAILPOINTS)).toEqual([
      'mid-claim',
      'after-claim',
      'after-validate',
      'after-record',
      'after-report',
      'mid-move',
      'after-move',
      'after-settle',
      'mid-recovery',
    ]);
  });

  it('passes over, in a lenient parse (a worker thread), the names another area declares', () => {
    expect([...parseFailpoints('after-record, some-other-area-step@2', { strict: false })]).toEqual([['after-record', 1]]);
  });

  it('accepts failpoints another module defines, and refuses redefining one with another meaning', () => {
    expect(() => parseFailpoints('after-test-step')).toThrowError(FailpointSpecError);
    defineFailpoints({ 'after-test-step': 'a step of a test module' });
    expect([...parseFailpoints('after-test-step@2')]).toEqual([['after-test-step', 2]]);
    expect(() => defineFailpoints({ 'after-record': 'something else' })).toThrow(/already defined/);
  });

  it('kills the process with SIGKILL at the armed hit, not before', () => {
    const script = `
      process.env.TURNKEY_FAILPOINTS = 'after-claim@3';
      import(${JSON.stringify(new URL('../../dist/intake/intakeFailpoints.js', import.meta.url).href)})
      .then(({ intakeFailpoint: failpoint }) => {
        failpoint('after-claim'); process.stdout.write('1 ');
        failpoint('after-claim'); process.stdout.write('2 ');
        failpoint('after-claim'); process.stdout.write('3 ');
      });`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(result.signal).toBe('SIGKILL');
    expect(result.stdout).toBe('1 2 ');
  });
});
