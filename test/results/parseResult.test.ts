import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readProcessResult, readSummaryResult } from '../../src/results/parseResult.js';
import { readElements } from '../../src/validation/xml/elementReader.js';

const VALID = join(import.meta.dirname, '../../samples/valid');
const read = (name: string) => readElements(readFileSync(join(VALID, name), 'utf8'));

describe('platform result files', () => {
  it("reads a ProcessResult's pack id and codes", () => {
    expect(readProcessResult(read('ProcessResult-F0401-accepted.xml'))).toEqual({
      kind: 'ProcessResult',
      messageId: '4.1-F0401-20261005-181500123-3f6c2a9e-8b1d-4c7e-9a52-0d4e6b7f1c38',
      messageType: 'F0401',
      infos: [{ code: '0000', description: '成功', parameters: [] }],
    });
  });

  it("reads a SummaryResult's good and failed invoices per pack", () => {
    const summary = readSummaryResult(read('SummaryResult-F0401-one-failed.xml'));
    expect(summary.entries).toEqual([
      {
        messageId: '4.1-F0401-20261005-181500123-3f6c2a9e-8b1d-4c7e-9a52-0d4e6b7f1c38',
        messageType: 'F0401',
        total: 2,
        good: { count: 1, invoices: [{ number: 'QK10000010', date: '20261005' }] },
        failed: { count: 1, invoices: [{ number: 'QK10000011', date: '20261005' }] },
      },
    ]);
  });

  it('tells an absent invoice list from an empty one', () => {
    const text = readFileSync(join(VALID, 'SummaryResult-F0401-one-failed.xml'), 'utf8').replace(/<Invoices>[\s\S]*?<\/Invoices>/g, '');
    const [entry] = readSummaryResult(readElements(text)).entries;
    expect(entry!.good.invoices).toBeNull();
    expect(entry!.failed.count).toBe(1);
  });
});
