'use strict';
/**
 * Preloaded into server processes by the benchmark (NODE_OPTIONS=--require),
 * never by the apps themselves: it lets the harness read heap figures and
 * take CPU profiles without changing application code.
 *
 * Listens on the unix socket `$BENCH_PROBE_DIR/<pid>.sock`:
 *   GET /mem          process.memoryUsage() after a full GC, with V8's heap spaces
 *   GET /loop         event-loop delay since the last /loop (p50, p99, max, ms), then resets it
 *   GET /prof/start   starts the V8 CPU profiler (in-process inspector session)
 *   GET /prof/stop    stops it and writes `$BENCH_PROBE_DIR/<pid>-<n>.cpuprofile`
 */
const dir = process.env.BENCH_PROBE_DIR;
// Module-hook threads (tsx registers one) load preloads too: only the main thread listens.
if (dir && require('node:worker_threads').isMainThread) {
  const fs = require('node:fs');
  const http = require('node:http');
  const path = require('node:path');
  const v8 = require('node:v8');
  const vm = require('node:vm');
  const inspector = require('node:inspector');
  const { monitorEventLoopDelay } = require('node:perf_hooks');

  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  // Node's default 10 ms: the delays that matter to a push's p99 are tens of
  // ms, and each sample is a timer wake-up the step's wake-up count includes
  // (1 ms added about 1,000 a second to every idle process).
  const LOOP_RESOLUTION_MS = 10;
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loopDelay.enable();
  let session = null;
  let profiles = 0;

  const reply = (res, status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const post = (method, params) =>
    new Promise((resolve, reject) =>
      session.post(method, params || {}, (err, result) => (err ? reject(err) : resolve(result))),
    );

  const server = http.createServer((req, res) => {
    if (req.url === '/mem') {
      gc();
      gc();
      const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size]));
      return reply(res, 200, { ...process.memoryUsage(), spaces });
    }
    if (req.url === '/loop') {
      // The histogram holds whole intervals between samples: lateness is what exceeds the resolution.
      const ms = (ns) => Math.max(0, Math.round(ns / 1e4) / 100 - LOOP_RESOLUTION_MS);
      const body = { p50Ms: ms(loopDelay.percentile(50)), p99Ms: ms(loopDelay.percentile(99)), maxMs: ms(loopDelay.max), count: loopDelay.count };
      loopDelay.reset();
      return reply(res, 200, body);
    }
    if (req.url === '/prof/start') {
      if (!session) {
        session = new inspector.Session();
        session.connect();
      }
      post('Profiler.enable')
        .then(() => post('Profiler.setSamplingInterval', { interval: 500 }))
        .then(() => post('Profiler.start'))
        .then(() => reply(res, 200, { started: true }), (err) => reply(res, 500, { error: String(err) }));
      return undefined;
    }
    if (req.url === '/prof/stop' && session) {
      post('Profiler.stop').then(
        ({ profile }) => {
          const file = path.join(dir, `${process.pid}-${++profiles}.cpuprofile`);
          fs.writeFileSync(file, JSON.stringify(profile));
          reply(res, 200, { file });
        },
        (err) => reply(res, 500, { error: String(err) }),
      );
      return undefined;
    }
    return reply(res, 404, { error: 'no such probe endpoint' });
  });
  const sock = path.join(dir, `${process.pid}.sock`);
  try {
    fs.unlinkSync(sock);
  } catch {
    // not there: fine
  }
  server.listen(sock);
  server.unref();
}
