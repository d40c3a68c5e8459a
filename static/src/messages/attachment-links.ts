import type { ParleyClient } from '@parley/client';
import type { AttachmentLink, AttachmentVariant } from '@parley/protocol';

/** A link is asked for again this long before it expires, so an image never loads from a dead URL. */
const MARGIN_MS = 30_000;

/**
 * Short-lived URLs to attachments (`GET /api/attachments/:id`), one request
 * per attachment and variant while its link is fresh: a chat full of images
 * asks once per image, not once per render.
 */
export class AttachmentLinks {
  private readonly links = new Map<string, Promise<AttachmentLink>>();

  constructor(
    private readonly client: ParleyClient,
    private readonly now: () => number = Date.now,
  ) {}

  get(attachmentId: string, variant: AttachmentVariant = 'original'): Promise<AttachmentLink> {
    const key = `${attachmentId}/${variant}`;
    const cached = this.links.get(key);
    if (cached) return cached;
    const link = this.client.attachmentLink(attachmentId, variant);
    this.links.set(key, link);
    link.then(
      (l) => setTimeout(() => this.links.get(key) === link && this.links.delete(key), Math.max(0, l.expiresAt - MARGIN_MS - this.now())),
      () => this.links.delete(key),
    );
    return link;
  }
}
