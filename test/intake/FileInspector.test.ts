import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerFileInspector } from '../../src/intake/FileInspector.js';
import { f0401Xml, f0401XmlWithWrongTotal, invoiceNumber } from '../../src/mig/F0401Factory.js';
import { Validator } from '../../src/validation/Validator.js';
import { modulesResolved } from '../helpers/moduleLoads.js';
import { tempDir } from '../helpers/tempDir.js';

/** The daemon's validation thread answers more than intake: every document the daemon reads as XML. */
describe('the validation thread', () => {
  let thread: WorkerFileInspector;
  let inline: Validator;
  beforeAll(async () => {
    [thread, inline] = await Promise.all([WorkerFileInspector.start(1, { validator: {}, maxBytes: 1 << 20 }), Validator.create()]);
  });
  afterAll(async () => {
    await thread.close();
    inline.dispose();
  });

  it('validates a document on its worker with the report the validator gives on this thread', async () => {
    for (const xml of [f0401Xml({ number: invoiceNumber(1) }), f0401XmlWithWrongTotal({ number: invoiceNumber(2) }), 'not xml']) {
      const bytes = Buffer.from(xml, 'utf8');
      const report = await thread.validate(bytes, { file: 'doc.xml' });
      expect(report).toEqual(inline.validate(bytes, { file: 'doc.xml' }));
      expect(report.file).toBe('doc.xml');
    }
    expect((await thread.validate(Buffer.from(f0401Xml({ number: invoiceNumber(3) })))).valid).toBe(true);
  });

  it('names the schema folder its workers compiled, and what they repaired in it', async () => {
    expect(await thread.schemaInfo()).toEqual({ dir: inline.schemasDir, warnings: inline.schemaWarnings });
  });

  it("fails to start with the validator's own error when its schema folder cannot be used", async () => {
    const dir = tempDir('turnkey-no-schemas-');
    try {
      writeFileSync(join(dir.path, 'readme.txt'), 'no schema here');
      const error = await WorkerFileInspector.start(1, { validator: { schemasDir: dir.path }, maxBytes: 1 << 20 }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'schema-load' });
      expect((error as Error).message).toMatch(/^the schema folder .* holds no \.xsd file/);
      const direct = await Validator.create({ schemasDir: dir.path }).catch((e: unknown) => e);
      expect((error as Error).message).toBe((direct as Error).message);
    } finally {
      dir.cleanup();
    }
  });
});

/**
 * libxml2 (WebAssembly, ~26 MB resident per thread that loads it) stays on the validation thread:
 * nothing the daemon's main thread imports reaches it. Checked in a fresh node whose module loader
 * reports every libxml2-wasm module resolved, and who asked for it.
 */
describe("the daemon's main thread", () => {
  it('loads no libxml2 with the modules of `turnkey start`', () => {
    const libxml2 = /\/libxml2-wasm\//;
    // The probe works: the validator itself loads libxml2.
    expect(modulesResolved(['validation/Validator.js'], libxml2).join('\n')).toMatch(/libxml2-wasm.* from .*Validator\.js/);
    expect(modulesResolved(['cli/main.js', 'cli/start/run.js', 'daemon/Daemon.js'], libxml2)).toEqual([]);
  });
});
