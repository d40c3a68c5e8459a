/** Where user-written text is shown to others, for the filter's log and for rules per field. */
export type ScreenedField = 'message' | 'displayName' | 'groupName';

/**
 * The sensitive-word filter. `mask` mode answers the text with each listed
 * word's characters replaced by `*`; `reject` mode answers `ok: false` when
 * any listed word occurs. Matching ignores case and width (NFKC).
 */
export interface TextFilter {
  screen(text: string, field: ScreenedField): ScreenResult;
}

export type ScreenResult = { ok: true; text: string } | { ok: false };

/** What a moderation service is asked before a message is stored (PARLEY_WEBHOOK_BEFORE_SEND). */
export interface BeforeSendRequest {
  senderId: string;
  conversationId: string;
  conversationType: 'direct' | 'group';
  kind: 'text' | 'image' | 'file';
  /** The text or caption after the word filter ('' for none). */
  text: string;
  clientMsgId: string;
  replyTo?: string;
  mentions?: string[];
  attachment?: { id: string; name: string; mime: string; size: number };
  /** Set when the request is an edit of this message. */
  editOf?: string;
}

export type BeforeSendVerdict = { action: 'allow' } | { action: 'reject'; reason?: string } | { action: 'replace'; text: string };

/**
 * The before-send webhook. Engines apply their timeout and failure policy:
 * fail-open answers `allow` when the service cannot answer, fail-closed
 * throws ParleyError UNAVAILABLE.
 */
export interface BeforeSendHook {
  check(request: BeforeSendRequest): Promise<BeforeSendVerdict>;
}
