// Container health check (no curl in the slim image): GET <path> on this
// process's own HTTP port; exit 0 on 2xx, 1 otherwise. Usage: node docker/healthcheck.cjs /readyz
'use strict';
const fs = require('node:fs');

const path = process.argv[2] || '/livez';
// The check runs beside the app, not under the entry script, so it finds the app from PID 1's command line.
const cmdline = (() => {
  try {
    return fs.readFileSync('/proc/1/cmdline', 'utf8');
  } catch {
    return '';
  }
})();
const port = process.env.PARLEY_PORT || (cmdline.includes('im-service') ? '9101' : '8080');
const bind = process.env.PARLEY_HOST || '127.0.0.1';
const host = bind === '0.0.0.0' || bind === '::' ? '127.0.0.1' : bind;

fetch(`http://${host.includes(':') ? `[${host}]` : host}:${port}${path}`, { signal: AbortSignal.timeout(2500) })
  .then((res) => process.exit(res.ok ? 0 : 1))
  .catch(() => process.exit(1));
