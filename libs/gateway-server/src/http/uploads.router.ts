import type { Request } from 'express';
import { Router } from 'express';
import { z } from 'zod';
import { ParleyError, attachmentQuerySchema, parseOrThrow, uploadTicketBodySchema } from '@parley/protocol';
import type { Clock } from '@parley/domain';
import { claimsOf } from './bearer-auth';
import { requireAttachments, type GatewayAttachments } from './gateway-attachments';

export const uploadIdParamsSchema = z.object({ id: z.string().min(1).max(64).meta({ description: 'the `uploadId` of the ticket' }) });
export const attachmentIdParamsSchema = z.object({ id: z.string().min(1).max(64).meta({ description: 'the attachment id (its `uploadId`)' }) });
export const uploadContentQuerySchema = z.object({ t: z.string().min(1).max(200).meta({ description: 'the signed token of the ticket URL' }) });

/**
 * `PUT /api/uploads/:id/content` (fs engine): the bytes of a ticket, no
 * Bearer (the ticket's signed token is the authority). Mounted before the
 * JSON body parser: the body is the file, streamed and counted, never
 * buffered past the ticket's size.
 */
export function uploadContentRouter(attachments: GatewayAttachments | undefined, clock: Clock): Router {
  const router = Router();
  router.put('/:id/content', async (req, res) => {
    const { id } = parseOrThrow(uploadIdParamsSchema, req.params);
    const { t } = parseOrThrow(uploadContentQuerySchema, req.query);
    const { links, service } = requireAttachments(attachments);
    if (!links.verifyUpload(id, t, clock.now())) throw new ParleyError('FORBIDDEN', 'the upload link is invalid or expired');
    await service.receive(id, (limit) => readBody(req, limit));
    res.status(204).end();
  });
  return router;
}

/** `POST /api/uploads` and `POST /api/uploads/:id/complete` (behind bearerAuth). */
export function uploadsRouter(attachments: GatewayAttachments | undefined): Router {
  const router = Router();
  router.post('/', async (req, res) => {
    const body = parseOrThrow(uploadTicketBodySchema, req.body);
    res.status(201).json(await requireAttachments(attachments).service.ticket(claimsOf(req).userId, body));
  });
  router.post('/:id/complete', async (req, res) => {
    const { id } = parseOrThrow(uploadIdParamsSchema, req.params);
    res.json({ attachment: await requireAttachments(attachments).service.complete(claimsOf(req).userId, id) });
  });
  return router;
}

/** `GET /api/attachments/:id` (behind bearerAuth): members of the conversation only, NOT_FOUND for anyone else. */
export function attachmentsRouter(attachments: GatewayAttachments | undefined): Router {
  const router = Router();
  router.get('/:id', async (req, res) => {
    const { id } = parseOrThrow(attachmentIdParamsSchema, req.params);
    const { variant } = parseOrThrow(attachmentQuerySchema, req.query);
    res.setHeader('Cache-Control', 'private, no-store');
    res.json(await requireAttachments(attachments).service.link(claimsOf(req).userId, id, variant));
  });
  return router;
}

/**
 * The request body, refused with PAYLOAD_TOO_LARGE as soon as it passes
 * `limit` bytes: by its Content-Length before reading, else while counting.
 * The connection is closed after a refusal, so the rest is never read.
 */
function readBody(req: Request, limit: number): Promise<Buffer> {
  const tooLarge = (): ParleyError => new ParleyError('PAYLOAD_TOO_LARGE', `the upload is larger than its ticket allows (${limit} bytes)`);
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    req.res?.setHeader('Connection', 'close');
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > limit) {
        cleanup();
        req.res?.setHeader('Connection', 'close');
        req.pause();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks, total));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(new ParleyError('INVALID_ARGUMENT', 'body: the request was aborted', { cause: err }));
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
