import path from 'node:path';
import { defineConfig } from 'vite';

const here = import.meta.dirname;
const root = path.resolve(here, '..');
const lib = (name: string, file = 'index.ts'): string => path.join(root, 'libs', name, 'src', file);

/**
 * The web client: source in static/, compiled to static/dist (what the
 * gateway serves). `@parley/*` resolve to the libraries' sources, as in the
 * tsconfig paths (@parley/util is browser-safe; Node-only helpers live in
 * @parley/util-node, which nothing here imports).
 */
export default defineConfig({
  root: here,
  base: '/',
  publicDir: false,
  resolve: {
    alias: [
      { find: /^@parley\/util$/, replacement: lib('util') },
      { find: /^@parley\/protocol$/, replacement: lib('protocol') },
      { find: /^@parley\/client$/, replacement: lib('client-sdk') },
    ],
  },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: path.join(here, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 400,
    // The service worker is a second entry, emitted as /sw.js (its scope is the folder it is served from: the root).
    rollupOptions: {
      input: { index: path.join(here, 'index.html'), sw: path.join(here, 'src', 'sw', 'sw.ts') },
      output: { entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js') },
    },
  },
  // `npm run dev:web` serves the source with hot reload; the API comes from a gateway on :8080.
  server: { port: 5173, proxy: { '/api': 'http://127.0.0.1:8080' } },
  logLevel: 'warn',
});
