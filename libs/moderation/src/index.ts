// Content moderation engines (Node-only): the sensitive-word filter and the before-send webhook, and their config.
export { AhoCorasickTextFilter, type FilterMode } from './text-filter.aho-corasick';
export { DEFAULT_WEBHOOK, WebhookBeforeSendHook, type WebhookFailurePolicy, type WebhookOptions } from './before-send-hook.webhook';
export { SIGNATURE_HEADER, signBody, verifySignature } from './webhook-signature';
export { parseWordList, readWordList } from './word-list';
export { beforeSendHookOf, contentPolicyOf, moderationEnv, textFilterOf, type ModerationEnv } from './moderation-config';
