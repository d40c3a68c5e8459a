import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ContentPolicy, type BeforeSendRequest } from '@parley/domain';
import { ParleyError } from '@parley/protocol';
import type { Logger } from '@parley/util';
import { WebhookBeforeSendHook, type WebhookOptions } from './before-send-hook.webhook';
import { AhoCorasickTextFilter } from './text-filter.aho-corasick';
import { TestModerationService, type TestModerationAnswer } from './testing';
import { verifySignature } from './webhook-signature';

const SECRET = 'a-webhook-secret-of-some-length';
const TEXT = 'the secret plan is 猫 at noon';

function request(overrides: Partial<BeforeSendRequest> = {}): BeforeSendRequest {
  return { senderId: 'u-ann', conversationId: 'c-1', conversationType: 'direct', kind: 'text', text: TEXT, clientMsgId: 'cm-1', ...overrides };
}

/** Records every line logged, to prove the text never is. */
function recordingLogger(): Logger & { lines: unknown[] } {
  const lines: unknown[] = [];
  const log = (obj: object, msg?: string) => void lines.push({ obj, msg });
  const logger = { lines, debug: log, info: log, warn: log, error: log, child: () => logger };
  return logger;
}

describe('WebhookBeforeSendHook', () => {
  let service: TestModerationService;
  let logger: ReturnType<typeof recordingLogger>;
  const hook = (options: Partial<WebhookOptions> = {}) => new WebhookBeforeSendHook({ url: service.url, secret: SECRET, timeoutMs: 2_000, logger, ...options });
  const answer = (a: TestModerationAnswer) => service.answerWith(() => a);

  beforeEach(async () => {
    service = await TestModerationService.start();
    logger = recordingLogger();
  });
  afterEach(async () => {
    // Whatever the test did, the text was never logged.
    expect(JSON.stringify(logger.lines)).not.toContain('secret plan');
    await service.close();
  });

  it('POSTs the request as signed JSON and allows on {"action":"allow"}', async () => {
    await expect(hook().check(request({ mentions: ['u-bob'], replyTo: 'm-0' }))).resolves.toEqual({ action: 'allow' });
    const [call] = service.calls;
    expect(call?.request).toEqual(request({ mentions: ['u-bob'], replyTo: 'm-0' }));
    expect(call?.contentType).toBe('application/json');
    expect(call?.signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifySignature(SECRET, call?.body ?? '', call?.signature)).toBe(true);
    // Another secret or another body does not verify.
    expect(verifySignature('another-secret-of-some-length', call?.body ?? '', call?.signature)).toBe(false);
    expect(verifySignature(SECRET, `${call?.body ?? ''} `, call?.signature)).toBe(false);
    expect(verifySignature(SECRET, call?.body ?? '', undefined)).toBe(false);
  });

  it('sends no signature without a secret', async () => {
    await hook({ secret: undefined }).check(request());
    expect(service.calls[0]?.signature).toBeUndefined();
  });

  it('passes on a rejection with its reason, and a replacement text', async () => {
    answer({ json: { action: 'reject', reason: 'spam' } });
    await expect(hook().check(request())).resolves.toEqual({ action: 'reject', reason: 'spam' });
    answer({ json: { action: 'replace', text: 'the plan is at noon', extra: 'ignored' } });
    await expect(hook().check(request())).resolves.toEqual({ action: 'replace', text: 'the plan is at noon' });
  });

  it('fails open (allows) or closed (UNAVAILABLE) when the service does not answer in time', async () => {
    answer('hang');
    await expect(hook({ timeoutMs: 100, failure: 'open' }).check(request())).resolves.toEqual({ action: 'allow' });
    const closed = hook({ timeoutMs: 100, failure: 'closed' }).check(request());
    await expect(closed).rejects.toBeInstanceOf(ParleyError);
    await expect(closed).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(logger.lines).toEqual(
      expect.arrayContaining([expect.objectContaining({ obj: expect.objectContaining({ reason: 'timeout', conversationId: 'c-1', senderId: 'u-ann' }) })]),
    );
  });

  it('cuts a service that sends its headers and then stalls', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"action":');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      await expect(hook({ url, timeoutMs: 100, failure: 'closed' }).check(request())).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it.each<[string, TestModerationAnswer]>([
    ['a 500', { status: 500, json: { action: 'allow' } }],
    ['a 404', { status: 404, json: { action: 'allow' } }],
    ['a redirect', { status: 302, headers: { location: 'http://127.0.0.1:1/' } }],
    ['no JSON', { raw: 'OK' }],
    ['an unknown action', { json: { action: 'maybe' } }],
    ['a replacement without text', { json: { action: 'replace' } }],
    ['a reason that is not a string', { json: { action: 'reject', reason: 5 } }],
    ['an empty replacement of a text message', { json: { action: 'replace', text: '  ' } }],
    ['an answer too large', { raw: JSON.stringify({ action: 'allow', pad: 'x'.repeat(100_000) }) }],
  ])('counts %s as a failure', async (_name, failure) => {
    answer(failure);
    await expect(hook({ failure: 'closed' }).check(request())).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(hook({ failure: 'open' }).check(request())).resolves.toEqual({ action: 'allow' });
    expect(logger.lines).toHaveLength(2);
  });

  it('lets a caption become empty', async () => {
    answer({ json: { action: 'replace', text: '' } });
    await expect(hook().check(request({ kind: 'image', text: 'a caption' }))).resolves.toEqual({ action: 'replace', text: '' });
  });

  it('counts an unreachable service as a failure', async () => {
    const url = service.url;
    await service.close();
    service = await TestModerationService.start();
    await expect(hook({ url, failure: 'closed' }).check(request())).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(JSON.stringify(logger.lines)).toMatch(/unreachable/);
  });

  it('keeps at most maxInFlight requests waiting: a thousand at once against a stalled service settle by the policy at once', async () => {
    answer('hang');
    const closed = hook({ timeoutMs: 5_000, failure: 'closed', maxInFlight: 10 });
    const checks = Array.from({ length: 1_000 }, (_, i) => closed.check(request({ clientMsgId: `cm-${i}` })).then(() => 'allowed', (err: unknown) => err));
    // The 990 beyond the limit are refused without a request; the ten asked end when the service goes away.
    const refused = await Promise.all(checks.slice(10));
    expect(refused.every((err) => err instanceof ParleyError && err.code === 'UNAVAILABLE')).toBe(true);
    expect(service.calls.length).toBeLessThanOrEqual(10);
    await service.close();
    service = await TestModerationService.start();
    await Promise.all(checks.slice(0, 10));
  });

  it('refuses a URL that is not http(s)', () => {
    expect(() => new WebhookBeforeSendHook({ url: 'file:///etc/passwd', logger })).toThrow(/http\(s\)/);
  });
});

describe('ContentPolicy with the word filter and the webhook', () => {
  let service: TestModerationService;
  beforeEach(async () => {
    service = await TestModerationService.start();
  });
  afterEach(() => service.close());

  const policy = () =>
    new ContentPolicy({
      filter: new AhoCorasickTextFilter(['secret'], 'mask'),
      hook: new WebhookBeforeSendHook({ url: service.url, logger: recordingLogger() }),
    });

  it('asks the service with the masked text, and stores its answer', async () => {
    await expect(policy().screenMessage(request())).resolves.toBe('the ****** plan is 猫 at noon');
    expect(service.calls[0]?.request.text).toBe('the ****** plan is 猫 at noon');
  });

  it('refuses with CONTENT_REJECTED naming the service\'s reason', async () => {
    service.answerWith(() => ({ json: { action: 'reject', reason: 'no cats' } }));
    await expect(policy().screenMessage(request())).rejects.toMatchObject({ code: 'CONTENT_REJECTED', message: expect.stringContaining('no cats') });
  });

  it('filters a replacement too', async () => {
    service.answerWith(() => ({ json: { action: 'replace', text: 'a Secret again' } }));
    await expect(policy().screenMessage(request())).resolves.toBe('a ****** again');
  });
});
