// Layer rules (see ../shared/design/STYLE.md): the folder a file lives in says where it may run.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const electron = ['electron', 'electron/*'];

const restrict = (paths, patterns, message) => ({
  'no-restricted-imports': [
    'error',
    {
      paths: paths.map((name) => ({ name, message })),
      patterns: patterns.map((group) => ({ group: [group], message })),
    },
  ],
});

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      'dist',
      'out',
      'coverage',
      'bench/results',
      'test-artifacts',
      'scratch',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['shared/**'],
    rules: restrict(
      [...nodeBuiltins, ...electron, 'react', 'react-dom'],
      ['**/main/**', '**/renderer/**', '**/preload/**', 'node:*'],
      'shared/ is pure TypeScript: no Node, no Electron, no DOM, no other layer.',
    ),
  },
  {
    files: ['renderer/**'],
    rules: restrict(
      [...nodeBuiltins, ...electron],
      ['**/main/**', '**/preload/**', 'node:*'],
      'renderer/ may import only shared/ and browser libraries.',
    ),
  },
  {
    files: ['main/**'],
    ignores: ['main/app/**'],
    rules: restrict(
      electron,
      ['**/renderer/**', '**/preload/**'],
      'Only the Electron shell (main/app/) imports electron; services stay plain Node.',
    ),
  },
);
