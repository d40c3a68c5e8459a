// Runs the whole jest suite and ends with the one-line summary CI reads:
// "N passed, N failed" (plus skipped). Extra arguments go to jest.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const resultsFile = path.join(root, 'tmp', 'jest-results.json');
fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
fs.rmSync(resultsFile, { force: true });

const jest = spawnSync(
  process.execPath,
  [path.join(root, 'node_modules/jest/bin/jest.js'), '--json', `--outputFile=${resultsFile}`, ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NX_DAEMON: 'false' } },
);

if (fs.existsSync(resultsFile)) {
  const r = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
  const failedSuites = r.numFailedTestSuites ?? 0;
  // A suite that fails to load has no failed tests; count it so it cannot hide.
  const failed = r.numFailedTests + (failedSuites > 0 && r.numFailedTests === 0 ? failedSuites : 0);
  console.log(`${r.numPassedTests} passed, ${failed} failed, ${r.numPendingTests} skipped`);
} else {
  console.log('0 passed, 1 failed');
}
process.exit(jest.status ?? 1);
