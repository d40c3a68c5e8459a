import { ContentPolicy, MessagingService, type MessageAttachments, type MessagingServiceDeps } from '@parley/domain';
import { sequenceIds } from '@parley/domain/testing';
import { ParleyError, type Attachment, type Message } from '@parley/protocol';
import type { BeforeSendRequest } from '@parley/domain';
import { createSocialWorld, type SocialWorld } from './social-world';

/**
 * A SocialWorld whose MessagingService has the issue-14 parts: fake
 * attachments (uploads by id, each owned by one user), a content policy
 * with a word filter ("darn" masked) and a recording moderation hook
 * ("spam" rejected), and whatever else a test passes.
 */
export interface MessagingWorld extends SocialWorld {
  uploads: FakeAttachments;
  /** What the moderation hook was asked, in order. */
  hookCalls: BeforeSendRequest[];
  /** Rebuilds `messaging` with these deps on top (same store, notifier, clock, attachments and policy). */
  useMessaging(extra?: Partial<MessagingServiceDeps>): MessagingService;
  /** The change entry a message:update push carried, newest last. */
  updates(): { message: Message; entry: Message; rooms: readonly string[] }[];
}

export async function createMessagingWorld(extra: Partial<MessagingServiceDeps> = {}): Promise<MessagingWorld> {
  const social = await createSocialWorld();
  const uploads = new FakeAttachments();
  const hookCalls: BeforeSendRequest[] = [];
  const content = new ContentPolicy({
    filter: { screen: (text) => ({ ok: true, text: text.replace(/darn/g, '****') }) },
    hook: {
      check: async (request) => {
        hookCalls.push(request);
        return request.text.includes('spam') ? { action: 'reject', reason: 'spam' } : { action: 'allow' };
      },
    },
  });
  const ids = sequenceIds('m');
  const world = social as MessagingWorld;
  world.uploads = uploads;
  world.hookCalls = hookCalls;
  world.useMessaging = (more = {}) => {
    world.messaging = new MessagingService({
      store: social.store,
      notifier: social.notifier,
      ids,
      clock: social.clock,
      attachments: uploads,
      content,
      ...extra,
      ...more,
    });
    return world.messaging;
  };
  world.updates = () =>
    social.notifier.published('message:update').map((p) => ({ ...(p.payload as { message: Message; entry: Message }), rooms: p.rooms }));
  world.useMessaging();
  return world;
}

/** Uploads by id, owned by one user each; claim follows MessageAttachments' rules. */
export class FakeAttachments implements MessageAttachments {
  private readonly uploads = new Map<string, { ownerId: string; attachment: Attachment; claimedBy?: string }>();
  readonly discarded: string[] = [];

  add(ownerId: string, id: string, mime = 'image/png'): void {
    const image = mime.startsWith('image/');
    this.uploads.set(id, {
      ownerId,
      attachment: { id, name: image ? 'cat.png' : 'notes.pdf', mime, size: 1234, ...(image && { width: 40, height: 30, thumbnail: true }) },
    });
  }

  async claim(request: { userId: string; uploadId: string; conversationId: string; clientMsgId: string; kind: 'image' | 'file' }): Promise<Attachment> {
    const upload = this.uploads.get(request.uploadId);
    if (!upload || upload.ownerId !== request.userId) throw new ParleyError('NOT_FOUND', 'upload not found');
    const claim = `${request.conversationId}/${request.clientMsgId}`;
    if (upload.claimedBy !== undefined && upload.claimedBy !== claim) throw new ParleyError('CONFLICT', 'the upload was already sent in another message');
    if (request.kind === 'image' && !upload.attachment.mime.startsWith('image/')) throw new ParleyError('INVALID_ARGUMENT', 'image: not an image');
    upload.claimedBy = claim;
    return upload.attachment;
  }

  async discard(uploadId: string): Promise<void> {
    this.discarded.push(uploadId);
    this.uploads.delete(uploadId);
  }
}
