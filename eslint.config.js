// ESLint: typescript-eslint's recommended rules, lines at most 140 characters (Prettier shortens
// code; comments and strings are ours to wrap), and the layering of the source folders as a rule,
// so that the structure is kept by the linter, not by promise.
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ROOT = dirname(fileURLToPath(import.meta.url));

/** The daemon assembles the pipeline: it may import every folder of it. */
const DAEMON_MAY_IMPORT = [
  'config',
  'errors',
  'failpoints',
  'fs',
  'intake',
  'log',
  'metrics',
  'mig',
  'outbound',
  'results',
  'sandbox',
  'schedule',
  'sqlite',
  'store',
  'time',
  'tracks',
  'transport',
  'validation',
  'workers',
];

/**
 * What each folder of src/ may import besides itself. The pipeline runs intake → validation →
 * store → outbound → transport → results; protocol holds the wire formats both sides share; the
 * simulator (the platform's side) imports only what the issue that split it out allows; nothing
 * but the simulator's CLI, the sandbox launcher and the simulator's own benchmark imports it.
 */
const MAY_IMPORT = {
  errors: [],
  time: ['errors'],
  mig: ['errors', 'time'],
  failpoints: ['errors'],
  sqlite: ['errors'],
  workers: ['errors', 'fs'],
  config: ['errors', 'mig', 'time'],
  fs: ['errors', 'mig', 'time'],
  validation: ['errors', 'mig', 'time'],
  protocol: ['errors', 'time', 'validation'],
  // fs: the database's folder, made durable before the database in it.
  store: ['errors', 'fs', 'sqlite', 'time'],
  // Maintenance windows, deadlines and the wall-clock jobs: rules over the store's data.
  schedule: ['config', 'errors', 'failpoints', 'store', 'time'],
  log: ['config', 'errors', 'store', 'time'],
  // The health and metrics endpoint reads the store (and the breaker's row).
  metrics: ['errors', 'outbound', 'store'],
  // Invoice-number tracks: allocations, the rules that need them, stock and the unused numbers (E0402).
  tracks: ['config', 'errors', 'failpoints', 'fs', 'mig', 'schedule', 'store', 'time', 'validation'],
  intake: ['config', 'errors', 'failpoints', 'fs', 'log', 'mig', 'store', 'time', 'tracks', 'validation', 'workers'],
  transport: ['errors', 'protocol', 'workers'],
  results: ['errors', 'failpoints', 'fs', 'log', 'protocol', 'store', 'time', 'tracks', 'transport', 'validation'],
  outbound: [
    'config',
    'errors',
    'failpoints',
    'fs',
    'log',
    'mig',
    'protocol',
    'results',
    'schedule',
    'store',
    'time',
    'transport',
    'validation',
  ],
  sim: ['errors', 'fs', 'protocol', 'sqlite', 'time', 'validation', 'workers'],
  // The sandbox registers each sender's certificate with the simulator, loaded as outbound loads it.
  sandbox: ['config', 'errors', 'fs', 'outbound', 'protocol', 'sim'],
  daemon: DAEMON_MAY_IMPORT,
  // Generating service files (systemd, WinSW) for this install.
  service: ['config', 'errors'],
  // The commands operate the daemon and read what it reads, and the wire formats.
  cli: [...DAEMON_MAY_IMPORT, 'daemon', 'protocol', 'service'],
  bench: ['cli', 'config', 'errors', 'fs', 'mig', 'protocol', 'sandbox', 'sqlite', 'store', 'time', 'validation', 'workers'],
};

/** Single files allowed across a line the folders draw, and why. */
const EXCEPTIONS = {
  // One way to read a schema-checked configuration file, for the daemon's and the simulator's.
  'src/sim/config/loadSimConfig.ts': ['src/config/SchemaFile.ts'],
  // `turnkey sim`: the simulator's own command.
  'src/cli/sim/': ['src/sim/'],
  // The simulator's throughput, measured in-process.
  'src/bench/sim.ts': ['src/sim/'],
  // bench:e2e --openssh: where the simulator keeps an account's folders, for OpenSSH's sshd to serve them.
  'src/bench/e2e.ts': ['src/sim/storage/SimLayout.ts'],
};

/** Node modules that do I/O: wire formats (src/protocol) are pure and use none of them. */
const IO_MODULES = new Set([
  'node:fs',
  'node:fs/promises',
  'node:net',
  'node:http',
  'node:https',
  'node:child_process',
  'ssh2',
  'undici',
  'better-sqlite3',
]);

const allowedImports = {
  meta: { type: 'problem', docs: { description: 'the layering of src/ folders' }, schema: [] },
  create(context) {
    const file = relative(ROOT, context.filename).split(sep).join('/');
    if (!file.startsWith('src/')) return {};
    const from = file.split('/')[1];
    const may = MAY_IMPORT[from];
    const check = (source) => {
      if (!source || typeof source.value !== 'string') return;
      const spec = source.value;
      if (!spec.startsWith('.')) {
        if (from === 'protocol' && IO_MODULES.has(spec))
          context.report({ node: source, message: `src/protocol is pure (wire formats): it may not import ${spec}` });
        return;
      }
      const target = relative(ROOT, resolve(dirname(context.filename), spec))
        .split(sep)
        .join('/')
        .replace(/\.js$/, '.ts');
      if (!target.startsWith('src/')) return;
      const to = target.split('/')[1];
      if (to === from || (may && may.includes(to))) return;
      const excepted = Object.entries(EXCEPTIONS).some(([f, targets]) => file.startsWith(f) && targets.some((t) => target.startsWith(t)));
      if (excepted) return;
      context.report({
        node: source,
        message: `src/${from} may not import src/${to} (${target}); the folders' layering is in eslint.config.js`,
      });
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    };
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'turnkey-data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.js'],
    plugins: { layers: { rules: { 'allowed-imports': allowedImports } } },
    rules: {
      'layers/allowed-imports': 'error',
      'max-len': ['error', { code: 140, ignoreUrls: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    // Plain scripts run by node (the TypeScript compiler knows Node's globals; ESLint is told here).
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly', structuredClone: 'readonly' } },
  },
);
