import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '@parley/util';
import { parseEnvConfig } from '@parley/util-node';
import { contentPolicyOf, moderationEnv, textFilterOf } from './moderation-config';

describe('moderationEnv', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-words-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('turns nothing on by default', () => {
    const env = parseEnvConfig(moderationEnv, {});
    expect(env).toEqual({ PARLEY_SENSITIVE_WORDS_MODE: 'mask', PARLEY_WEBHOOK_TIMEOUT_MS: 1000, PARLEY_WEBHOOK_FAIL: 'open' });
    expect(textFilterOf(env)).toBeUndefined();
    expect(contentPolicyOf(env, silentLogger).screenName('anything', 'displayName')).toBe('anything');
  });

  it('refuses a webhook that is not http(s), a weak secret, an unknown mode or policy', () => {
    expect(() => parseEnvConfig(moderationEnv, { PARLEY_WEBHOOK_BEFORE_SEND: 'ftp://mod.example/' })).toThrow(/PARLEY_WEBHOOK_BEFORE_SEND/);
    expect(() => parseEnvConfig(moderationEnv, { PARLEY_WEBHOOK_SECRET: 'short' })).toThrow(/PARLEY_WEBHOOK_SECRET/);
    expect(() => parseEnvConfig(moderationEnv, { PARLEY_SENSITIVE_WORDS_MODE: 'drop' })).toThrow(/PARLEY_SENSITIVE_WORDS_MODE/);
    expect(() => parseEnvConfig(moderationEnv, { PARLEY_WEBHOOK_FAIL: 'maybe' })).toThrow(/PARLEY_WEBHOOK_FAIL/);
    expect(() => parseEnvConfig(moderationEnv, { PARLEY_WEBHOOK_TIMEOUT_MS: '0' })).toThrow(/PARLEY_WEBHOOK_TIMEOUT_MS/);
  });

  it('reads the words file in the mode asked for', () => {
    const file = path.join(dir, 'words.txt');
    fs.writeFileSync(file, '# words\nbadword\n坏蛋\n');
    const mask = contentPolicyOf(parseEnvConfig(moderationEnv, { PARLEY_SENSITIVE_WORDS_FILE: file }), silentLogger);
    expect(mask.screenName('Badword 坏蛋 ok', 'displayName')).toBe('******* ** ok');
    const reject = contentPolicyOf(parseEnvConfig(moderationEnv, { PARLEY_SENSITIVE_WORDS_FILE: file, PARLEY_SENSITIVE_WORDS_MODE: 'reject' }), silentLogger);
    expect(() => reject.screenName('a badword', 'groupName')).toThrow(expect.objectContaining({ code: 'CONTENT_REJECTED' }));
  });

  it('fails the start on a words file it cannot read, naming the variable', () => {
    const env = parseEnvConfig(moderationEnv, { PARLEY_SENSITIVE_WORDS_FILE: path.join(dir, 'missing.txt') });
    expect(() => textFilterOf(env)).toThrow(/PARLEY_SENSITIVE_WORDS_FILE: cannot read .*missing\.txt: ENOENT/);
  });
});
