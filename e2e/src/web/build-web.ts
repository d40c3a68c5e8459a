import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');
export const WEB_DIST = path.join(root, 'static', 'dist');
/** What the web build is made of: when any is newer than the build, it is rebuilt. */
const SOURCES = ['static/src', 'static/index.html', 'static/vite.config.mts', 'libs/client-sdk/src', 'libs/protocol/src', 'libs/util/src'];

function newestMtime(target: string): number {
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

/** Builds the web client into static/dist unless a build newer than its sources is there. */
export function ensureWebBuild(): string {
  const built = path.join(WEB_DIST, 'index.html');
  const sourcesAt = Math.max(...SOURCES.map((s) => newestMtime(path.join(root, s))));
  if (fs.existsSync(built) && fs.statSync(built).mtimeMs >= sourcesAt) return WEB_DIST;
  const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--config', 'static/vite.config.mts'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.status !== 0) throw new Error(`web build failed:\n${result.stdout}\n${result.stderr}`);
  return WEB_DIST;
}
