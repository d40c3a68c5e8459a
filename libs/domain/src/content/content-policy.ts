import { ParleyError } from '@parley/protocol';
import type { BeforeSendHook, BeforeSendRequest, ScreenedField, TextFilter } from '../ports';

export interface ContentPolicyDeps {
  /** The sensitive-word filter; none configured: text passes as written. */
  filter?: TextFilter;
  /** The before-send webhook (messages and edits only); none configured: allowed. */
  hook?: BeforeSendHook;
}

const REJECTED = 'the text contains words that are not allowed here';

/**
 * What user-written text must pass before it is stored and shown to others:
 * the word filter (names and messages), then, for messages, the moderation
 * webhook. Throws CONTENT_REJECTED (or UNAVAILABLE from a fail-closed hook).
 */
export class ContentPolicy {
  constructor(private readonly deps: ContentPolicyDeps = {}) {}

  /**
   * Messages go to a moderation service: a retried send is then answered
   * from the store before screening, so the service is asked once per message.
   */
  get asksService(): boolean {
    return this.deps.hook !== undefined;
  }

  /** A display name or a group name as it may be stored. */
  screenName(text: string, field: Exclude<ScreenedField, 'message'>): string {
    return this.screen(text, field);
  }

  /** A message's text or caption (in `request.text`) as it may be stored, after the filter and the webhook. */
  async screenMessage(request: BeforeSendRequest): Promise<string> {
    const text = request.text === '' ? '' : this.screen(request.text, 'message');
    if (!this.deps.hook) return text;
    const verdict = await this.deps.hook.check({ ...request, text });
    if (verdict.action === 'reject') {
      throw new ParleyError('CONTENT_REJECTED', verdict.reason ? `rejected by moderation: ${verdict.reason}` : 'rejected by moderation');
    }
    // A replacement from the service passes the filter too: it is shown to others all the same.
    return verdict.action === 'replace' ? this.screen(verdict.text, 'message') : text;
  }

  private screen(text: string, field: ScreenedField): string {
    if (!this.deps.filter) return text;
    const result = this.deps.filter.screen(text, field);
    if (!result.ok) throw new ParleyError('CONTENT_REJECTED', REJECTED);
    return result.text;
  }
}
