/**
 * The fleet's DNS: the test DNS server as a process on a host of its own,
 * the resolver nginx asks at request time (UDP 53). Names change as a
 * platform's DNS would (a record appears when a host starts, goes when it
 * is removed), through a small HTTP control API on the same address:
 *
 *   PUT    /names/<name>   {"addresses": ["10.x.y.z", …]}   → 204
 *   DELETE /names/<name>                                    → 204
 *
 * Prints DNS_HOST_READY once both listen.
 *
 *   FLEET_DNS_HOST          address to listen on
 *   FLEET_DNS_CONTROL_PORT  the control API's TCP port
 */
import http from 'node:http';
import { startDnsServer } from '@parley/testing';
import { parseDnsChange } from './dns-change';

async function main(): Promise<void> {
  const host = process.env.FLEET_DNS_HOST ?? '127.0.0.1';
  const controlPort = Number(process.env.FLEET_DNS_CONTROL_PORT ?? 8053);
  const dns = await startDnsServer({ host, port: 53 });
  const control = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      try {
        const change = parseDnsChange(req.method ?? '', req.url ?? '', body);
        if (change.kind === 'set') dns.set(change.name, change.addresses);
        else dns.delete(change.name);
        res.writeHead(204).end();
      } catch (err) {
        res.writeHead(400).end(err instanceof Error ? err.message : String(err));
      }
    });
  });
  await new Promise<void>((resolve) => control.listen(controlPort, host, resolve));
  process.stdout.write(`DNS_HOST_READY ${host}:${dns.port} control ${host}:${controlPort}\n`);
  process.once('SIGTERM', () => {
    control.close();
    void dns.close().then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`dns host failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
