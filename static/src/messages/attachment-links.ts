import type { ParleyClient } from '@parley/client';
import type { AttachmentLink, AttachmentVariant } from '@parley/protocol';

/**
 * The longest a link is reused: half the life the server gives links (300 s).
 * `expiresAt` is the server's clock, so a fast or slow clock here must not
 * stretch the cache; half leaves room for the skew an image `onerror` then
 * repairs (`refresh`).
 */
const MAX_REUSE_MS = 150_000;

interface Cached {
  link: Promise<AttachmentLink>;
  /** Local time (this clock) after which the link is asked for again; unset while it loads. */
  freshUntil?: number;
}

/**
 * Short-lived URLs to attachments (`GET /api/attachments/:id`), one request
 * per attachment and variant while its link is fresh: a chat full of images
 * asks once per image, not once per render.
 */
export class AttachmentLinks {
  private readonly links = new Map<string, Cached>();

  constructor(
    private readonly client: ParleyClient,
    private readonly now: () => number = Date.now,
  ) {}

  get(attachmentId: string, variant: AttachmentVariant = 'original'): Promise<AttachmentLink> {
    const key = `${attachmentId}/${variant}`;
    const cached = this.links.get(key);
    if (cached && (cached.freshUntil === undefined || this.now() < cached.freshUntil)) return cached.link;
    return this.fetch(key, attachmentId, variant);
  }

  /** A new link, whatever is cached: the one held failed to load (expired early, or this clock is off). */
  refresh(attachmentId: string, variant: AttachmentVariant = 'original'): Promise<AttachmentLink> {
    return this.fetch(`${attachmentId}/${variant}`, attachmentId, variant);
  }

  private fetch(key: string, attachmentId: string, variant: AttachmentVariant): Promise<AttachmentLink> {
    const requestedAt = this.now();
    const entry: Cached = { link: this.client.attachmentLink(attachmentId, variant) };
    this.links.set(key, entry);
    entry.link.then(
      (l) => {
        // Half the life the link says it has left, by the server's clock against ours, and never past the cap.
        entry.freshUntil = requestedAt + Math.min(MAX_REUSE_MS, Math.max(0, (l.expiresAt - requestedAt) / 2));
      },
      () => this.links.get(key) === entry && this.links.delete(key),
    );
    return entry.link;
  }
}
