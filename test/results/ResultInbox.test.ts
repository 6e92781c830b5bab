import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ResultInbox } from '../../src/results/ResultInbox.js';
import { tempDirEachTest } from '../helpers/tempDir.js';

describe('result inbox', () => {
  const dir = tempDirEachTest();

  it('publishes a new file whole under its remote name', () => {
    const inbox = new ResultInbox(dir());
    const published = inbox.publish('4.1-F0401-x-ProcessResult', Buffer.from('<a/>'));
    expect(published.kind).toBe('new');
    expect(readFileSync(join(dir(), '4.1-F0401-x-ProcessResult'), 'utf8')).toBe('<a/>');
  });

  it('recognises the same bytes again as already received (a repeat, or a crash before deleting the remote copy)', () => {
    const inbox = new ResultInbox(dir());
    inbox.publish('r', Buffer.from('<a/>'));
    expect(inbox.publish('r', Buffer.from('<a/>')).kind).toBe('already');
  });

  it('keeps different bytes under the same name beside the first, never overwriting it', () => {
    const inbox = new ResultInbox(dir());
    inbox.publish('r', Buffer.from('<first/>'));
    const second = inbox.publish('r', Buffer.from('<second/>'));
    expect(second.kind).toBe('conflict');
    expect(readFileSync(join(dir(), 'r'), 'utf8')).toBe('<first/>');
    expect(second.kind === 'conflict' && readFileSync(second.conflictPath, 'utf8')).toBe('<second/>');
  });

  it('refuses a remote name that is not a plain file name', () => {
    expect(() => new ResultInbox(dir()).publish('../escape', Buffer.from('x'))).toThrow(/plain file name/);
  });
});
