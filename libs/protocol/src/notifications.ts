import { z } from 'zod';

/*
 * Wire shapes of notifications: Web Push subscriptions (REST), the user's
 * notification settings (part of `settings:*`), each conversation's
 * notification and pin settings (`conversation:settings`), and the page's
 * visibility (`presence:visibility`), which decides when a user counts as away.
 */

/** base64url of exactly `bytes` bytes, padded or not (checked by length: the schema runs in browsers too). */
const base64url = (bytes: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, 'must be base64url')
    .refine((s) => s.replace(/=+$/, '').length === Math.ceil((bytes * 4) / 3), `must decode to ${bytes} bytes`);

/** A browser's PushSubscription.toJSON(): where to send pushes and the keys to encrypt them for (RFC 8291). */
export const pushSubscriptionInputSchema = z.strictObject({
  endpoint: z.string().url().max(2048),
  expirationTime: z.number().int().nullable().optional(),
  keys: z.strictObject({
    /** The user agent's P-256 public key, uncompressed point (65 bytes). */
    p256dh: base64url(65),
    /** The authentication secret (16 bytes). */
    auth: base64url(16),
  }),
});
export type PushSubscriptionInput = z.infer<typeof pushSubscriptionInputSchema>;

/** `DELETE /api/push/subscriptions`: the endpoint to stop pushing to (the caller's own). */
export const pushUnsubscribeSchema = z.strictObject({ endpoint: z.string().url().max(2048) });

/** What `POST /api/push/subscriptions` answers: the subscription as stored, for this session. */
export const pushSubscriptionViewSchema = z.object({
  id: z.string(),
  endpoint: z.string(),
  createdAt: z.number(),
});
export type PushSubscriptionView = z.infer<typeof pushSubscriptionViewSchema>;

/** `GET /api/push/vapid-public-key`: the application server key for PushManager.subscribe. */
export const vapidPublicKeySchema = z.object({ publicKey: z.string() });

/** "HH:MM", 24-hour. */
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)');

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * Do-not-disturb hours: no push from `start` to `end` in `timeZone` (an
 * IANA name); `end` before `start` spans midnight. Equal times are refused.
 */
export const dndSchema = z
  .strictObject({
    start: clockTime,
    end: clockTime,
    timeZone: z.string().min(1).max(64).refine(isTimeZone, 'unknown time zone'),
  })
  .refine((d) => d.start !== d.end, { message: 'start and end must differ', path: ['end'] });
export type Dnd = z.infer<typeof dndSchema>;

/** Which messages of a conversation notify: all, only those mentioning the user (or @all), none. */
export const notifyModeSchema = z.enum(['all', 'mentions', 'none']);
export type NotifyMode = z.infer<typeof notifyModeSchema>;

/** One user's settings for one conversation. */
export const conversationSettingsSchema = z.object({
  conversationId: z.string(),
  /** @default 'all' */
  notify: notifyModeSchema,
  /** Muted (no notification at all) until this time, epoch ms; null when not muted for a while. */
  mutedUntil: z.number().int().nullable(),
  /** When the user pinned it (pinned conversations list first, latest pin first); null when not pinned. */
  pinnedAt: z.number().int().nullable(),
});
export type ConversationSettings = z.infer<typeof conversationSettingsSchema>;

/** `conversation:settings`: patch one's own settings of a conversation one is a member of. */
export const conversationSettingsUpdateSchema = z
  .strictObject({
    conversationId: z.string().min(1).max(160),
    notify: notifyModeSchema.optional(),
    /** Epoch ms; null (or a time past) unmutes. */
    mutedUntil: z.number().int().min(0).nullable().optional(),
    pinned: z.boolean().optional(),
  })
  .refine((p) => p.notify !== undefined || p.mutedUntil !== undefined || p.pinned !== undefined, {
    message: 'nothing to update',
    path: ['conversationId'],
  });

/** `presence:visibility`: the page is in front of the user (or not); all hidden long enough means pushes. */
export const visibilitySchema = z.strictObject({ visible: z.boolean() });

/** Most pinned conversations per user. */
export const MAX_PINNED = 20;
/** Most push subscriptions per session (a browser profile has one; a re-subscribe replaces it). */
export const MAX_PUSH_SUBSCRIPTIONS_PER_SESSION = 1;

/**
 * What a push carries (encrypted to the subscription's keys). `text` only
 * when the user allows previews; `url` opens the conversation.
 */
export const pushPayloadSchema = z.object({
  type: z.literal('message'),
  conversationId: z.string(),
  messageId: z.string(),
  seq: z.number().int(),
  /** The sender's display name (or the group's name with the sender's) when previews are on; else absent. */
  title: z.string().optional(),
  /** The message text (or "[image]", "[file]") when previews are on; else absent. */
  text: z.string().optional(),
  /** Mentions the user (or @all). */
  mention: z.boolean(),
  /** Unread total of the user, for the badge. */
  unread: z.number().int().optional(),
  /** Path to open: `/?c=<conversationId>`. */
  url: z.string(),
});
export type PushPayload = z.infer<typeof pushPayloadSchema>;
