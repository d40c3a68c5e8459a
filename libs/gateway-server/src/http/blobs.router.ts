import { Router } from 'express';
import { z } from 'zod';
import { contentDisposition } from '@parley/attachments';
import { ParleyError, parseOrThrow } from '@parley/protocol';
import type { Clock } from '@parley/domain';
import { requireAttachments, type GatewayAttachments } from './gateway-attachments';

export const blobKeyParamsSchema = z.object({ key: z.string().min(1).max(200).meta({ description: 'the object key the link names' }) });
export const blobLinkQuerySchema = z.object({
  exp: z.string().meta({ description: 'expiry (epoch ms)' }),
  ct: z.string().meta({ description: 'the Content-Type to answer with (sniffed at upload)' }),
  cd: z.enum(['inline', 'attachment']).meta({ description: 'the Content-Disposition type (inline for images only)' }),
  fn: z.string().meta({ description: 'the file name to answer with' }),
  sig: z.string().meta({ description: 'HMAC over all of the above and the key' }),
});

/**
 * `GET /api/blobs/:key` (fs engine): the bytes behind a download link from
 * `GET /api/attachments/:id`, no Bearer (the link's signature is the
 * authority, so <img src> works). Served so a browser never runs them:
 * their sniffed type with `nosniff`, `attachment` unless an image, a CSP
 * that allows nothing.
 */
export function blobsRouter(attachments: GatewayAttachments | undefined, clock: Clock): Router {
  const router = Router();
  router.get('/:key', async (req, res) => {
    const { key } = parseOrThrow(blobKeyParamsSchema, req.params);
    const query = parseOrThrow(blobLinkQuerySchema, req.query);
    const { links, blobs } = requireAttachments(attachments);
    const grant = links.verifyDownload(key, query, clock.now());
    if (!grant) throw new ParleyError('FORBIDDEN', 'the link is invalid or expired');
    const bytes = await blobs.get(grant.key);
    if (!bytes) throw new ParleyError('NOT_FOUND', 'the file is gone');
    const image = grant.contentType.startsWith('image/') && grant.contentType !== 'image/svg+xml';
    res.setHeader('Content-Type', grant.contentType);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Disposition', contentDisposition(image ? grant.disposition : 'attachment', grant.fileName));
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.setHeader('Cache-Control', 'private, max-age=300');
    res.status(200).end(bytes);
  });
  return router;
}
