import { DEFAULT_MESSAGING_OPTIONS } from '@parley/domain';
import { DEFAULT_USER_SEND_QUOTA } from './socket/send-quota';
import { DEFAULT_USER_SOCIAL_QUOTA } from './socket/social-quota';
import { DEFAULT_SOCKET_BUDGET } from './socket/socket-budget';
import { DEFAULT_TYPING_COALESCE_MS } from './socket/typing-coalescer';

/** The one place these defaults are written; the app's config schema reuses them. */
export const DEFAULT_IM_NODE = Object.freeze({
  drainSpreadMs: 2_000,
  drainTimeoutMs: 10_000,
  sendRatePerSec: 30,
  sendBurst: 60,
  commandBurst: DEFAULT_SOCKET_BUDGET.burst,
  commandRatePerSec: DEFAULT_SOCKET_BUDGET.ratePerSec,
  typingCoalesceMs: DEFAULT_TYPING_COALESCE_MS,
  userSendLimit: DEFAULT_USER_SEND_QUOTA.points,
  userSendWindowSec: DEFAULT_USER_SEND_QUOTA.windowSec,
  userSocialLimit: DEFAULT_USER_SOCIAL_QUOTA.points,
  userSocialWindowSec: DEFAULT_USER_SOCIAL_QUOTA.windowSec,
  recallWindowMs: DEFAULT_MESSAGING_OPTIONS.recallWindowMs,
});
