import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from './build.js';
import { tempDir } from './tempDir.js';

/**
 * The packages (or files) matching `pattern` that a fresh node resolves when it imports `modules`
 * (compiled, in dist/), one line each: `<what was resolved> from <who asked>`. The module loader's
 * own resolve hook reports them, so a static import and a dynamic one run at import both count.
 */
export function modulesResolved(modules: readonly string[], pattern: RegExp): string[] {
  const dir = tempDir('turnkey-imports-');
  try {
    writeFileSync(
      join(dir.path, 'hooks.mjs'),
      `const pattern = new RegExp(${JSON.stringify(pattern.source)});
       export async function resolve(specifier, context, next) {
         const resolved = await next(specifier, context);
         if (pattern.test(resolved.url)) process.stderr.write('resolved ' + resolved.url + ' from ' + context.parentURL + '\\n');
         return resolved;
       }`,
    );
    writeFileSync(join(dir.path, 'register.mjs'), `import { register } from 'node:module'; register('./hooks.mjs', import.meta.url);`);
    const child = spawnSync(
      process.execPath,
      [
        '--import',
        join(dir.path, 'register.mjs'),
        '--input-type=module',
        '-e',
        modules.map((m) => `await import(${JSON.stringify(join(PROJECT_ROOT, 'dist', m))});`).join('\n'),
      ],
      { encoding: 'utf8' },
    );
    if (child.status !== 0) throw new Error(`importing ${modules.join(', ')} failed: ${child.stderr}`);
    return child.stderr.split('\n').filter((line) => line.startsWith('resolved '));
  } finally {
    dir.cleanup();
  }
}
