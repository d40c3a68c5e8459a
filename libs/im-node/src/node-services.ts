import {
  ConversationService,
  ConversationSettingsService,
  FriendService,
  GroupAdminService,
  GroupService,
  MessagingService,
  NotificationService,
  SessionGate,
  SessionService,
  SettingsService,
  type Notifier,
  type ThrottleFactory,
} from '@parley/domain';
import { meteredThrottles } from '@parley/observability';
import type { ImNodeDeps, ImNodeOptions } from './im-node';
import { CountedRateLimiter, nodeThrottleLimit } from './metrics/counted-limits';
import type { NodeMetrics } from './metrics/node-metrics';
import { createCommandHandlers, type CommandHandlers } from './socket/commands';
import { createUserSendQuota } from './socket/send-quota';
import { TypingCoalescer, TypingCoalescingNotifier } from './socket/typing-coalescer';
import { traceSends } from './socket/traced-send';
import { DEFAULT_IM_NODE } from './im-node-defaults';

/** What the node's commands run on: the domain services, and the handlers over them. */
export interface NodeServices {
  sessions: SessionService;
  sessionGate: SessionGate;
  handlers: CommandHandlers;
  /** The cluster limits, metered (absent without `deps.throttles`). */
  throttles: ThrottleFactory | undefined;
  /** Pushes to away members (absent without `options.push`). */
  notifications: NotificationService | undefined;
}

/**
 * Builds the domain services of one IM node (messaging with its per-node and
 * cluster send limits, groups, friends, sessions) and the command handlers
 * over them. The node's constructor keeps the socket and relay wiring.
 */
export function createNodeServices(options: ImNodeOptions, deps: ImNodeDeps, notifier: Notifier, metrics: NodeMetrics): NodeServices {
  const { store, presence, clock, ids, logger } = deps;
  const sessions = new SessionService({ nodeId: options.nodeId, store, presence, notifier, clock });
  const sendLimiter = new CountedRateLimiter(
    clock,
    { ratePerSec: options.sendRatePerSec ?? DEFAULT_IM_NODE.sendRatePerSec, burst: options.sendBurst ?? DEFAULT_IM_NODE.sendBurst },
    metrics.limitCount('send_rate'),
  );
  const userSendQuota = { points: options.userSendLimit ?? DEFAULT_IM_NODE.userSendLimit, windowSec: options.userSendWindowSec ?? DEFAULT_IM_NODE.userSendWindowSec };
  // The cluster limits' refusals counted as the gateway's are (user_send; social's by the dispatcher).
  const throttles = deps.throttles && meteredThrottles(deps.throttles, deps.metrics, metrics.role, { limitOf: nodeThrottleLimit });
  const sendQuota = throttles && createUserSendQuota(throttles, userSendQuota, clock, logger);
  // Pushes to members who are away, when the app configured a pusher.
  const awayNotifications =
    options.push && new NotificationService({ store, presence, pusher: options.push.pusher, clock, awayAfterMs: options.push.awayAfterMs, logger });
  const typing = new TypingCoalescer(clock, { windowMs: options.typingCoalesceMs ?? DEFAULT_IM_NODE.typingCoalesceMs });
  const messaging = new MessagingService({
    store,
    notifier: new TypingCoalescingNotifier(notifier, typing),
    ids,
    clock,
    sendLimiter,
    sendQuota,
    attachments: deps.attachments,
    content: deps.content,
    options: { recallWindowMs: options.recallWindowMs ?? DEFAULT_IM_NODE.recallWindowMs },
    logger,
    awayNotifications,
  });
  const groups = new GroupService({ store, presence, notifier, ids, clock, options: options.groups, content: deps.content });
  const groupAdmin = new GroupAdminService({ store, notifier, ids, clock, content: deps.content });
  const friends = new FriendService({ store, presence, notifier, ids, clock });
  const conversations = new ConversationService({ store });
  const settings = new SettingsService({ store, notifier });
  const conversationSettings = new ConversationSettingsService({ store, notifier, clock });
  const sessionGate = new SessionGate({ tokens: deps.tokens, store, clock });
  const allHandlers = createCommandHandlers({ messaging, conversations, groups, groupAdmin, friends, settings, conversationSettings, sessions, sessionGate, sends: metrics });
  const handlers = deps.tracer ? traceSends(allHandlers, deps.tracer) : allHandlers;
  return { sessions, sessionGate, handlers, throttles, notifications: awayNotifications };
}
