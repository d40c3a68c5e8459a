import { Writable } from 'node:stream';
import { createLogger } from './logger';

describe('createLogger', () => {
  it('never writes passwords, tokens or authorization headers', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = createLogger({ name: 't', destination });
    log.info({ body: { username: 'al', password: 'hunter22' }, token: 'eyJ.secret', headers: { authorization: 'Bearer x' } }, 'req');
    const out = lines.join('');
    expect(out).toContain('"username":"al"');
    expect(out).not.toContain('hunter22');
    expect(out).not.toContain('eyJ.secret');
    expect(out).not.toContain('Bearer x');
  });

  it('never writes refresh tokens or cookies, in a request or a response', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = createLogger({ name: 't', destination });
    log.info({ refreshToken: 'rt-secret-1', req: { headers: { cookie: 'parley_refresh=cookie-secret-2' } }, res: { headers: { 'set-cookie': 'parley_refresh=cookie-secret-3' } } }, 'req');
    log.info({ body: { refreshToken: 'rt-secret-4' }, headers: { cookie: 'cookie-secret-5' } }, 'flat');
    const out = lines.join('');
    for (const secret of ['rt-secret-1', 'cookie-secret-2', 'cookie-secret-3', 'rt-secret-4', 'cookie-secret-5']) expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
  });
});
