import { describe, expect, it } from 'vitest';
import {
  classifyOutboxName,
  formatCommonName,
  formatSignedFileName,
  isCommonName,
  NameError,
  parseCommonName,
  parseSignedFileName,
} from '../../src/protocol/names.js';

const UUID = '550e8400-e29b-41d4-a716-446655440000';
const SPEC_COMMON_NAME = `4.1-F0401-20260824-141623456-${UUID}`;
const SPEC_SIGNED_FILE_NAME = `erp_batch_0001.xml_12345678_0000000000_${SPEC_COMMON_NAME}_27`;

describe('common name', () => {
  it('writes the date and time in Taiwan time (UTC+8), to the millisecond', () => {
    // 2026-08-24 06:16:23.456 UTC is 14:16:23.456 in Taipei.
    const name = formatCommonName({ migVersion: '4.1', messageType: 'F0401', at: new Date('2026-08-24T06:16:23.456Z'), uuid: UUID });
    expect(name).toBe(SPEC_COMMON_NAME);
  });

  it('rolls the date over at 16:00 UTC', () => {
    const name = formatCommonName({
      migVersion: '4.1',
      messageType: 'C0401',
      at: new Date('2026-12-31T16:00:00.007Z'),
      uuid: UUID.toUpperCase(),
    });
    expect(name).toBe(`4.1-C0401-20270101-000000007-${UUID}`);
  });

  it('parses the example from the spec, and round-trips', () => {
    const parsed = parseCommonName(SPEC_COMMON_NAME);
    expect(parsed).toEqual({
      migVersion: '4.1',
      messageType: 'F0401',
      date: '20260824',
      time: '141623456',
      at: new Date('2026-08-24T06:16:23.456Z'),
      uuid: UUID,
    });
    expect(formatCommonName(parsed)).toBe(SPEC_COMMON_NAME);
  });

  it('refuses names that are not common names', () => {
    const bad = [
      '',
      '4.1-F0401-20260824-141623456',
      `41-F0401-20260824-141623456-${UUID}`, // part lengths
      `4.1-F0401-20260824-14162345-${UUID}`, // seconds without milliseconds
      `4.1-F0401-20260824-141623456-${UUID}-x`,
      `4.1-f0401-20260824-141623456-${UUID}`, // message type case
      `4.1-F0401-20260231-141623456-${UUID}`, // no 31 February
      `4.1-F0401-20260824-241623456-${UUID}`, // hour 24
      `4.1-F0401-20260824-141623456-550e8400-e29b-41d4-a716-44665544000g`,
      `x.1-F0401-20260824-141623456-${UUID}`,
    ];
    for (const name of bad) {
      expect(() => parseCommonName(name), name).toThrow(NameError);
      expect(isCommonName(name)).toBe(false);
    }
    expect(() => parseCommonName('nope')).toThrow(expect.objectContaining({ code: 'name-invalid' }));
  });

  it('refuses to format from bad parts', () => {
    const at = new Date();
    expect(() => formatCommonName({ migVersion: '4.10', messageType: 'F0401', at, uuid: UUID })).toThrow(NameError);
    expect(() => formatCommonName({ migVersion: '4.1', messageType: 'F401', at, uuid: UUID })).toThrow(NameError);
    expect(() => formatCommonName({ migVersion: '4.1', messageType: 'F0401', at, uuid: 'not-a-uuid' })).toThrow(NameError);
    expect(() => formatCommonName({ migVersion: '4.1', messageType: 'F0401', at: new Date(NaN), uuid: UUID })).toThrow(NameError);
  });
});

describe('signed-file name', () => {
  it('parses the example from the spec from the right (the source has underscores)', () => {
    expect(parseSignedFileName(SPEC_SIGNED_FILE_NAME)).toEqual({
      source: 'erp_batch_0001.xml',
      from: '12345678',
      to: '0000000000',
      commonName: SPEC_COMMON_NAME,
      count: 27,
    });
  });

  it('formats and parses back', () => {
    const parts = { source: 'a_b_c.xml', from: '12345678', to: '87654321', commonName: SPEC_COMMON_NAME, count: 1000 };
    const name = formatSignedFileName(parts);
    expect(name).toBe(`a_b_c.xml_12345678_87654321_${SPEC_COMMON_NAME}_1000`);
    expect(parseSignedFileName(name)).toEqual(parts);
  });

  it('refuses bad names and bad parts', () => {
    for (const name of [
      SPEC_COMMON_NAME,
      `src_12345678_0000000000_${SPEC_COMMON_NAME}`,
      `src_12345678_0000000000_${SPEC_COMMON_NAME}_0`,
      `src_12345678_0000000000_${SPEC_COMMON_NAME}_027`,
      `src_12345678_0000000000_not-a-common-name_27`,
      `_12345678_0000000000_${SPEC_COMMON_NAME}_27`,
    ]) {
      expect(() => parseSignedFileName(name), name).toThrow(NameError);
    }
    const parts = { source: 's.xml', from: '12345678', to: '0000000000', commonName: SPEC_COMMON_NAME, count: 1 };
    expect(() => formatSignedFileName({ ...parts, from: '1234_5678' })).toThrow(NameError);
    expect(() => formatSignedFileName({ ...parts, source: 'dir/s.xml' })).toThrow(NameError);
    expect(() => formatSignedFileName({ ...parts, count: 0 })).toThrow(NameError);
    expect(() => formatSignedFileName({ ...parts, commonName: 'x' })).toThrow(NameError);
  });
});

describe('classifyOutboxName', () => {
  it('classifies result files by their ending', () => {
    expect(classifyOutboxName(`${SPEC_COMMON_NAME}ProcessResult`)).toBe('ProcessResult');
    expect(classifyOutboxName(`${SPEC_COMMON_NAME}-ProcessResult`)).toBe('ProcessResult');
    expect(classifyOutboxName('20260824-SummaryResult')).toBe('SummaryResult');
    expect(classifyOutboxName('something.E0501')).toBe('E0501');
    expect(classifyOutboxName('something-E0502')).toBe('E0502');
    expect(classifyOutboxName('something_E0503')).toBe('E0503');
    expect(classifyOutboxName('E0504')).toBe('E0504');
    expect(classifyOutboxName(`${SPEC_COMMON_NAME}.Ack`)).toBe('Ack');
  });

  it('classifies a bare common name as an inbound message', () => {
    expect(classifyOutboxName(SPEC_COMMON_NAME)).toBe('inbound');
    expect(classifyOutboxName(`4.1-A0401-20260824-141623456-${UUID}`)).toBe('inbound');
    // An upper-case UUID may end in "E0501": still inbound, since the whole name is a common name.
    expect(classifyOutboxName('4.1-A0401-20260824-141623456-550E8400-E29B-41D4-A716-4466554E0501')).toBe('inbound');
  });

  it('classifies anything else as unknown', () => {
    for (const name of ['', 'readme.txt', 'ProcessResult.xml', `${SPEC_COMMON_NAME}.zip`, 'ack']) {
      expect(classifyOutboxName(name), name).toBe('unknown');
    }
  });
});
