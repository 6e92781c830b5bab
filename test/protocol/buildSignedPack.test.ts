import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unarmor } from '../../src/protocol/armor.js';
import { generateTestCertificate, loadPfx } from '../../src/protocol/cms/index.js';
import { parseEnvelope } from '../../src/protocol/envelope/index.js';
import { parseCommonName, parseSignedFileName } from '../../src/protocol/names.js';
import { buildSignedPack } from '../../src/protocol/buildSignedPack.js';
import { unzipSignedFile } from '../../src/protocol/zip.js';

const SAMPLE = readFileSync(join(import.meta.dirname, '../../samples/valid/F0401-b2c-printed.xml'));
const routing = { from: { id: '53718426' }, fromVac: { id: '53718426' }, to: { id: '0000000000' }, toVac: { id: '0000000000' } };

describe('signed pack', () => {
  const certificate = generateTestCertificate({ commonName: 'pack test', password: 'pw' });
  const signer = loadPfx(certificate.pfx, 'pw');

  it('signs an envelope of the exact message bytes that openssl verifies, named per the protocol', () => {
    const pack = buildSignedPack({
      messageType: 'F0401',
      routing,
      messages: [SAMPLE, SAMPLE],
      sourceName: 'erp_batch.xml',
      zip: false,
      signer,
      at: new Date('2026-08-24T06:16:23.456Z'),
      uuid: '550e8400-e29b-41d4-a716-446655440000',
    });
    expect(pack.commonName).toBe('4.1-F0401-20260824-141623456-550e8400-e29b-41d4-a716-446655440000');
    expect(parseSignedFileName(pack.signedFileName)).toMatchObject({
      source: 'erp_batch.xml',
      from: '53718426',
      to: '0000000000',
      commonName: pack.commonName,
      count: 2,
    });
    expect(pack.payload).toBe(pack.armored);

    const dir = mkdtempSync(join(tmpdir(), 'turnkey-pack-'));
    writeFileSync(join(dir, 'pack.der'), unarmor(pack.armored));
    execFileSync(
      'openssl',
      ['cms', '-verify', '-inform', 'DER', '-binary', '-noverify', '-in', join(dir, 'pack.der'), '-out', join(dir, 'envelope.xml')],
      { stdio: 'pipe' },
    );
    const envelope = parseEnvelope(readFileSync(join(dir, 'envelope.xml')));
    expect(envelope).toMatchObject({ messageType: 'F0401', count: 2 });
    expect(envelope.messages[0]).toContain('<InvoiceNumber>QK10000010</InvoiceNumber>');
  });

  it('zips the armored file as one entry named with the signed-file name when asked', () => {
    const pack = buildSignedPack({
      messageType: 'F0401',
      routing,
      messages: [SAMPLE],
      sourceName: 'a.xml',
      zip: true,
      signer,
      at: new Date(),
    });
    const entry = unzipSignedFile(pack.payload);
    expect(entry.name).toBe(pack.signedFileName);
    expect(entry.content.equals(pack.armored)).toBe(true);
    expect(parseCommonName(pack.commonName).messageType).toBe('F0401');
  });
});
