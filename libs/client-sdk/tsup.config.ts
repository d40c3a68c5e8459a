import path from 'node:path';
import { defineConfig, type Options } from 'tsup';

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

/** The workspace libraries bundled into the package (they are not published on their own). */
const WORKSPACE_LIBS = ['protocol', 'util'].map((lib) => path.resolve(__dirname, '..', lib, 'src') + path.sep);

/**
 * Marks the bundled workspace libraries' modules free of side effects, so
 * esbuild drops every module the client does not use: of @parley/protocol
 * only the error table and ParleyError stay (no zod schemas), of @parley/util
 * only the backoff helper (no logger, no process hooks). Without it, their
 * index files' `export *` would keep every module whose top level calls a
 * function.
 */
const workspaceLibsSideEffectFree: EsbuildPlugin = {
  name: 'workspace-libs-side-effect-free',
  setup(build) {
    const inner = Symbol('resolved by this plugin');
    build.onResolve({ filter: /^(@parley\/|\.)/ }, async (args) => {
      if (args.pluginData === inner) return undefined;
      const result = await build.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: inner,
      });
      if (result.errors.length > 0 || !WORKSPACE_LIBS.some((dir) => result.path.startsWith(dir))) return result;
      return { ...result, sideEffects: false };
    });
  },
};

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  outExtension: ({ format }) => ({ js: format === 'esm' ? '.mjs' : '.cjs' }),
  dts: true,
  sourcemap: true,
  // Everything in dist/ but the API docs (`npm run docs` writes them to dist/docs).
  clean: ['!docs/**'],
  target: 'es2022',
  platform: 'neutral',
  tsconfig: 'tsconfig.json',
  // Resolved from the package's own dependencies; everything of the workspace is bundled.
  external: ['socket.io-client'],
  noExternal: [/^@parley\//],
  esbuildPlugins: [workspaceLibsSideEffectFree],
});
