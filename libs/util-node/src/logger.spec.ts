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
});
