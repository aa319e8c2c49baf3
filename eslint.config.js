// Lint: TypeScript hygiene, and the layering of the house style enforced as import rules, so that a wrong
// import fails CI instead of a review (as VS Code does for its common / node / electron-main layers).
import svelte from 'eslint-plugin-svelte';
import tseslint from 'typescript-eslint';

const engineInternals = {
  group: ['**/engine/**', '!**/engine/protocol', '!**/engine/protocol/**'],
  message: 'Only engine/protocol is shared with the engine; everything else in engine/ is its internals.',
};
// What only the engine process may load: TensorFlow.js and SQLite (and, in the renderer, Node itself).
const engineOnlyPackages = {
  group: ['@tensorflow/*', 'better-sqlite3', 'sharp', 'wavefile'],
  message:
    'TensorFlow.js, SQLite and the decoders run in the engine process only; reach them through the engine protocol.',
};
// Node's modules, with or without the node: prefix (a bare `fs` is as much Node as `node:fs`).
const nodeModules = [
  'node:*',
  'fs',
  'fs/*',
  'path',
  'os',
  'child_process',
  'worker_threads',
  'http',
  'https',
  'net',
  'crypto',
  'module',
  'url',
  'stream',
  'util',
];

// The engine's own layers, one direction (README, Architecture): method (the paper's flow and every method) →
// train (the loop and the network builders) → runtime (backends, the compiled WebGPU engine and its kernels).
const engineEdge = {
  paths: [{ name: 'electron', message: 'The engine never imports electron; it runs in the CLI and web mode too.' }],
  shell: {
    group: ['**/electron/**', '**/renderer/**', '!**/dist/renderer/**'],
    message:
      'The engine never imports the desktop shell or the UI; they import engine/protocol, not the other way round.',
  },
};
const aboveTrain = {
  group: ['**/method/**', '**/method'],
  message:
    "engine/train is below engine/method: the loop knows nothing of methods or the paper's flow; a method hands it what to train (train/loss-terms.ts).",
};
const aboveRuntime = {
  group: ['**/train/**', '**/method/**', '**/train', '**/method'],
  message:
    'engine/runtime is the bottom layer: backends and kernels know nothing of the loop or the methods; they are given what to compute.',
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'out/**', 'release/**', 'test-output/**', 'bin/**'] },
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
    // Keyed each blocks matter for lists whose items move; ours are rebuilt whole (tables, thumbnails), and
    // the run table, whose rows sort, is keyed by run id.
    rules: { 'svelte/require-each-key': 'off' },
  },
  {
    rules: {
      'no-console': ['error', { allow: ['warn', 'error'] }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['engine/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: engineEdge.paths, patterns: [engineEdge.shell] }] },
  },
  {
    // Tests may reach up (a runtime test checks its kernels against the tfjs step of a method).
    files: ['engine/train/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: engineEdge.paths, patterns: [engineEdge.shell, aboveTrain] }],
    },
  },
  {
    files: ['engine/runtime/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: engineEdge.paths, patterns: [engineEdge.shell, aboveRuntime] }],
    },
  },
  {
    files: ['engine/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@tensorflow/*', 'better-sqlite3', 'node:*', 'electron', '../*', '!../protocol/*'],
              message: 'engine/protocol holds pure types and tiny pure helpers only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['electron/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [engineInternals, engineOnlyPackages] }] },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.svelte'],
    ignores: ['renderer/vite.config.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer talks to the app through the preload API only.' }],
          patterns: [
            engineInternals,
            engineOnlyPackages,
            { group: nodeModules, message: 'The renderer runs in a sandboxed page: no Node modules.' },
          ],
        },
      ],
    },
  },
);
