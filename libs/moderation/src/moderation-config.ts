import { z } from 'zod';
import { ContentPolicy } from '@parley/domain';
import type { Logger } from '@parley/util';
import { DEFAULT_WEBHOOK, WebhookBeforeSendHook } from './before-send-hook.webhook';
import { AhoCorasickTextFilter } from './text-filter.aho-corasick';
import { readWordList } from './word-list';

/**
 * The environment of content moderation, shared by the apps' config schemas
 * (the gateway screens display names, IM nodes group names and messages; one
 * env file may serve both, so both take every variable).
 */
export const moderationEnv = z.object({
  /** A UTF-8 file, one word or phrase per line, `#` comments. Unset: no word filter. */
  PARLEY_SENSITIVE_WORDS_FILE: z.string().optional(),
  /** `mask`: listed words are replaced by `*`; `reject`: text holding one is refused (CONTENT_REJECTED). */
  PARLEY_SENSITIVE_WORDS_MODE: z.enum(['mask', 'reject']).default('mask'),
  /** An http(s) URL asked before each new message is stored. Unset: no webhook. */
  PARLEY_WEBHOOK_BEFORE_SEND: z.url({ protocol: /^https?$/ }).optional(),
  /** Signs each webhook request (X-Parley-Signature: sha256=<HMAC of the body>). Unset: unsigned. */
  PARLEY_WEBHOOK_SECRET: z.string().min(16, 'at least 16 characters (e.g. openssl rand -base64 32)').optional(),
  /** How long the service has to answer, in milliseconds. */
  PARLEY_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(DEFAULT_WEBHOOK.timeoutMs),
  /** When the service cannot answer: `open` delivers the message, `closed` refuses it (UNAVAILABLE). */
  PARLEY_WEBHOOK_FAIL: z.enum(['open', 'closed']).default(DEFAULT_WEBHOOK.failure),
});

export type ModerationEnv = z.output<typeof moderationEnv>;

/** The word filter the environment asks for (the file is read now), or none. */
export function textFilterOf(env: ModerationEnv): AhoCorasickTextFilter | undefined {
  if (env.PARLEY_SENSITIVE_WORDS_FILE === undefined) return undefined;
  return new AhoCorasickTextFilter(readWordList(env.PARLEY_SENSITIVE_WORDS_FILE), env.PARLEY_SENSITIVE_WORDS_MODE);
}

/** The before-send webhook the environment asks for, or none. */
export function beforeSendHookOf(env: ModerationEnv, logger: Logger): WebhookBeforeSendHook | undefined {
  if (env.PARLEY_WEBHOOK_BEFORE_SEND === undefined) return undefined;
  return new WebhookBeforeSendHook({
    url: env.PARLEY_WEBHOOK_BEFORE_SEND,
    secret: env.PARLEY_WEBHOOK_SECRET,
    timeoutMs: env.PARLEY_WEBHOOK_TIMEOUT_MS,
    failure: env.PARLEY_WEBHOOK_FAIL,
    logger: logger.child({ component: 'before-send-webhook' }),
  });
}

/**
 * A composition root's ContentPolicy: the word filter and the webhook (a
 * gateway screens only names, which the webhook is never asked about:
 * `{webhook: false}`). The start-up line names what is on (the webhook by
 * origin only: its path or query may carry a token), never the words.
 */
export function contentPolicyOf(env: ModerationEnv, logger: Logger, options: { webhook?: boolean } = {}): ContentPolicy {
  const filter = textFilterOf(env);
  const hook = options.webhook === false ? undefined : beforeSendHookOf(env, logger);
  if (filter || hook) {
    logger.info(
      {
        wordFilter: filter ? { mode: filter.mode, words: filter.size } : 'off',
        beforeSendWebhook: hook ? { origin: new URL(env.PARLEY_WEBHOOK_BEFORE_SEND ?? '').origin, failure: env.PARLEY_WEBHOOK_FAIL } : 'off',
      },
      'content moderation',
    );
  }
  return new ContentPolicy({ filter, hook });
}
