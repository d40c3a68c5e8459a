import fs from 'node:fs';
import path from 'node:path';
import { COMMAND_NAMES, ERROR_CODES } from './index';
import type { ServerEventName } from './socket';

const doc = fs.readFileSync(path.resolve(__dirname, '../../../docs/protocol.md'), 'utf8');
const SERVER_EVENTS: Record<ServerEventName, true> = {
  'message:new': true,
  'presence:update': true,
  'message:receipt': true,
  typing: true,
  'group:update': true,
  'server:draining': true,
};

describe('docs/protocol.md', () => {
  it.each(COMMAND_NAMES)('documents the command %s in its table', (name) => {
    expect(doc).toMatch(new RegExp(`^\\| \`${name}\` \\|`, 'm'));
  });

  it.each(Object.keys(SERVER_EVENTS))('documents the server event %s', (name) => {
    expect(doc).toMatch(new RegExp(`^\\| \`${name}\` \\|`, 'm'));
  });

  it.each(Object.entries(ERROR_CODES))('documents the error code %s with its HTTP status', (code, { status }) => {
    expect(doc).toMatch(new RegExp(`^\\| \`${code}\` \\| .+ \\| ${status} \\|$`, 'm'));
  });
});
