import http from 'node:http';
import type { CheckStatus } from './types';

const MAX_CHECK_OUTPUT = 4 * 1024; // Consul keeps at most 4KB of check output

/** GET the URL like Consul's HTTP check: 2xx passing, 429 warning, anything else critical. */
export function performHttpCheck(
  url: string,
  timeoutMs: number,
  done: (status: CheckStatus, output: string) => void,
): http.ClientRequest | undefined {
  let settled = false;
  const settle = (status: CheckStatus, output: string): void => {
    if (settled) return;
    settled = true;
    done(status, output.slice(0, MAX_CHECK_OUTPUT));
  };
  try {
    const req = http.get(
      url,
      {
        agent: false, // Consul's check client disables keep-alive
        timeout: timeoutMs,
        headers: { 'User-Agent': 'Consul Health Check', Accept: 'text/plain, text/*, */*' },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (body.length < MAX_CHECK_OUTPUT) body += chunk;
        });
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          const output = `HTTP GET ${url}: ${code} ${res.statusMessage ?? ''} Output: ${body}`;
          settle(code >= 200 && code < 300 ? 'passing' : code === 429 ? 'warning' : 'critical', output);
        });
        res.on('error', (err) => settle('critical', `Get "${url}": ${err.message}`));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`context deadline exceeded (Client.Timeout ${timeoutMs}ms)`)));
    req.on('error', (err) => settle('critical', `Get "${url}": ${err.message}`));
    return req;
  } catch (err) {
    settle('critical', `Get "${url}": ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}
