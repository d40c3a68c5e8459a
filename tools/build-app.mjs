// Builds one app: typechecks it, then bundles its sources and the @parley/*
// libs into dist/apps/<name>/main.js. npm dependencies stay external.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const name = process.argv[2];
if (!name) throw new Error('usage: node tools/build-app.mjs <app>');
const root = path.resolve(import.meta.dirname, '..');

execFileSync('npx', ['tsc', '-p', `apps/${name}/tsconfig.json`, '--noEmit'], { cwd: root, stdio: 'inherit' });

const externalNpm = {
  name: 'external-npm',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@parley/') ? undefined : { path: args.path, external: true },
    );
  },
};

await build({
  entryPoints: [path.join(root, `apps/${name}/src/main.ts`)],
  outfile: path.join(root, `dist/apps/${name}/main.js`),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  tsconfig: path.join(root, 'tsconfig.base.json'),
  plugins: [externalNpm],
  logLevel: 'warning',
});
// Files the code reads from beside itself (__dirname), which the bundle moved.
const API_DOCS = ['libs/gateway-server/src/http/api-docs', 'api-docs'];
const ASSETS = { gateway: [API_DOCS], embedded: [API_DOCS] };
for (const [from, to] of ASSETS[name] ?? []) {
  fs.cpSync(path.join(root, from), path.join(root, `dist/apps/${name}`, to), { recursive: true });
}
console.log(`built dist/apps/${name}/main.js`);
