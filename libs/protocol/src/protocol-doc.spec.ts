import fs from 'node:fs';
import path from 'node:path';
import { COMMAND_NAMES, ERROR_CODES, SERVER_EVENT_NAMES } from './index';

const doc = fs.readFileSync(path.resolve(__dirname, '../../../docs/protocol.md'), 'utf8');

describe('docs/protocol.md', () => {
  it.each(COMMAND_NAMES)('documents the command %s in its table', (name) => {
    expect(doc).toMatch(new RegExp(`^\\| \`${name}\` \\|`, 'm'));
  });

  it.each(SERVER_EVENT_NAMES)('documents the server event %s', (name) => {
    expect(doc).toMatch(new RegExp(`^\\| \`${name}\` \\|`, 'm'));
  });

  it.each(Object.entries(ERROR_CODES))('documents the error code %s with its HTTP status', (code, { status }) => {
    expect(doc).toMatch(new RegExp(`^\\| \`${code}\` \\| .+ \\| ${status} \\|$`, 'm'));
  });
});
