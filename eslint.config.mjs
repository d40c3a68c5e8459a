import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';

/** Adapters and frameworks that domain and protocol code must never import. */
const INFRASTRUCTURE = [
  'express',
  'socket.io',
  'socket.io-client',
  'mysql2',
  'mysql2/*',
  'better-sqlite3',
  'ioredis',
  'consul',
  '@grpc/*',
  'jsonwebtoken',
  'argon2',
  'pino',
];

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '**/generated/**', 'static/dist/**', 'tmp/**', '.nx/**', '**/docs/api/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: ['type:feature', 'type:domain', 'type:adapter', 'type:protocol', 'type:util', 'type:util-node'],
            },
            { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:domain', 'type:adapter', 'type:protocol', 'type:util', 'type:util-node'] },
            { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:domain', 'type:protocol', 'type:util', 'type:util-node'] },
            {
              sourceTag: 'type:domain',
              onlyDependOnLibsWithTags: ['type:protocol', 'type:util'],
              bannedExternalImports: INFRASTRUCTURE,
            },
            { sourceTag: 'type:protocol', onlyDependOnLibsWithTags: [], bannedExternalImports: INFRASTRUCTURE },
            // Browser-safe: the web client and the SDK use it.
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: [], bannedExternalImports: INFRASTRUCTURE },
            { sourceTag: 'type:util-node', onlyDependOnLibsWithTags: ['type:util'] },
            {
              sourceTag: 'type:web',
              onlyDependOnLibsWithTags: ['type:client', 'type:protocol', 'type:util'],
              bannedExternalImports: INFRASTRUCTURE,
            },
            {
              sourceTag: 'type:client',
              onlyDependOnLibsWithTags: ['type:protocol', 'type:util'],
              bannedExternalImports: INFRASTRUCTURE.filter((m) => m !== 'socket.io-client'),
            },
            {
              sourceTag: 'type:testing',
              onlyDependOnLibsWithTags: ['type:feature', 'type:domain', 'type:adapter', 'type:protocol', 'type:util', 'type:util-node'],
            },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['*'] },
            // Scopes: the gateway side and the IM side share only what is shared; clients only the client lib.
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:gateway', onlyDependOnLibsWithTags: ['scope:gateway', 'scope:shared'] },
            { sourceTag: 'scope:im', onlyDependOnLibsWithTags: ['scope:im', 'scope:shared'] },
            { sourceTag: 'scope:embedded', onlyDependOnLibsWithTags: ['scope:gateway', 'scope:im', 'scope:shared'] },
            { sourceTag: 'scope:client', onlyDependOnLibsWithTags: ['scope:client', 'scope:shared'] },
            { sourceTag: 'scope:web', onlyDependOnLibsWithTags: ['scope:web', 'scope:client', 'scope:shared'] },
            { sourceTag: 'scope:test', onlyDependOnLibsWithTags: ['*'] },
          ],
        },
      ],
    },
  },
  {
    // No import cycles: a module may not import, even through others, a module that imports it back. Workspace
    // imports (@parley/*) are resolved through tsconfig.base.json, so a cycle across libs counts too; packages in
    // node_modules are not followed. Type-only imports are erased by the compiler, so the rule does not count them.
    files: ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx', '.mts', '.cts'] },
      'import-x/resolver-next': [
        createNodeResolver({
          extensions: ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json', '.node'],
          tsconfig: { configFile: new URL('./tsconfig.base.json', import.meta.url).pathname },
        }),
      ],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    // Type-aware rules: a promise nobody awaits or catches, or one handed where a
    // callback's result is ignored (an event handler, an executor), loses its errors.
    files: ['**/*.ts', '**/*.tsx'],
    // One program for the server side and one for the browser (per-folder programs ran out of memory).
    languageOptions: { parserOptions: { project: ['./tsconfig.json', './static/tsconfig.json'], tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    // CommonJS files (preloads run with node --require) load modules with require.
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tests may use the harness lib and test-only helpers of any layer.
    files: ['**/*.spec.ts', '**/testing/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
];
