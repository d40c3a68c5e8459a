'use strict';
/**
 * Debug hook for bench/src/tools/heap-per-connection.ts only, preloaded next
 * to bench/src/env/probe-preload.cjs (which answers /mem): writes a V8 heap
 * snapshot on request, so the tool can see which objects a connection costs.
 *
 * Listens on `$BENCH_PROBE_DIR/<pid>.snapshot.sock`:
 *   GET /  writes `$BENCH_PROBE_DIR/<pid>-<n>.heapsnapshot` (V8 collects
 *          garbage first) and answers `{ file }`
 */
const dir = process.env.BENCH_PROBE_DIR;
if (dir && require('node:worker_threads').isMainThread) {
  const fs = require('node:fs');
  const http = require('node:http');
  const path = require('node:path');
  const v8 = require('node:v8');
  let taken = 0;

  const server = http.createServer((_req, res) => {
    const file = v8.writeHeapSnapshot(path.join(dir, `${process.pid}-${++taken}.heapsnapshot`));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ file }));
  });
  const sock = path.join(dir, `${process.pid}.snapshot.sock`);
  fs.rmSync(sock, { force: true });
  server.listen(sock);
  server.unref();
}
