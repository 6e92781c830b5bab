import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The folders' layering is a lint rule (eslint.config.js); these check that the rule bites.
const eslint = new ESLint({ cwd: process.cwd() });

async function layeringErrors(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: join(process.cwd(), file) });
  return result!.messages.filter((m) => m.ruleId === 'layers/allowed-imports').map((m) => m.message);
}

describe('the layering rule', () => {
  it('refuses the simulator to the product', async () => {
    const errors = await layeringErrors('src/outbound/Probe.ts', "export { startSimulator } from '../sim/index.js';\n");
    expect(errors).toEqual([expect.stringContaining('src/outbound may not import src/sim')]);
  });

  it('refuses a lower layer reaching up, even by a dynamic import', async () => {
    const errors = await layeringErrors('src/store/Probe.ts', "export const load = () => import('../outbound/Packer.js');\n");
    expect(errors).toEqual([expect.stringContaining('src/store may not import src/outbound')]);
  });

  it('keeps wire formats free of I/O', async () => {
    const errors = await layeringErrors(
      'src/protocol/Probe.ts',
      "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n",
    );
    expect(errors).toEqual([expect.stringContaining('src/protocol is pure')]);
  });

  it('lets the sandbox launcher and the simulator command use the simulator, and the simulator use the protocol', async () => {
    expect(await layeringErrors('src/cli/sim/Probe.ts', "export { startSimulator } from '../../sim/index.js';\n")).toEqual([]);
    expect(await layeringErrors('src/sandbox/Probe.ts', "export { startSimulator } from '../sim/index.js';\n")).toEqual([]);
    expect(await layeringErrors('src/sim/Probe.ts', "export { parseEnvelope } from '../protocol/envelope/index.js';\n")).toEqual([]);
  });
});
