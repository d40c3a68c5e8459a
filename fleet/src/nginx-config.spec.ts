import fs from 'node:fs';
import path from 'node:path';
import { entryMainConfig, renderEntryTemplate } from './nginx-config';

const TEMPLATE = path.resolve(__dirname, '../../docker/nginx/parley.conf.template');

describe('the entry configuration', () => {
  it('fills every ENTRY_ value of the deployment template and leaves nginx variables alone', () => {
    const rendered = renderEntryTemplate(fs.readFileSync(TEMPLATE, 'utf8'), {
      ENTRY_RESOLVER: '10.9.8.5',
      ENTRY_GATEWAY: 'gateway:8080',
      ENTRY_NODE_PATTERN: 'im-[0-9]{1,4}',
      ENTRY_NODE_SUFFIX: '',
      ENTRY_NODE_PORT: '9101',
    });
    expect(rendered).not.toContain('${ENTRY_');
    expect(rendered).toContain('resolver 10.9.8.5');
    expect(rendered).toContain('$node:9101');
    expect(rendered).toContain('(?<node>im-[0-9]{1,4})');
    expect(rendered).toContain('$http_upgrade');
  });

  it('refuses a template value it was not given', () => {
    expect(() => renderEntryTemplate('resolver ${ENTRY_RESOLVER} ${ENTRY_NEW};', { ENTRY_RESOLVER: 'x' })).toThrow(/ENTRY_NEW/);
  });

  it('keeps every nginx path inside the run folder', () => {
    const main = entryMainConfig({ runDir: '/tmp/run', serverConfigFile: '/tmp/run/parley.conf', errorLog: '/logs/e', accessLog: '/logs/a' });
    for (const line of main.split('\n').filter((l) => /_path |pid /.test(l))) expect(line).toContain('/tmp/run/');
    expect(main).toContain('include /tmp/run/parley.conf;');
  });
});
