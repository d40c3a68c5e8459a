import { z } from 'zod';
import { attachmentSchema } from './models';

/**
 * Uploads and attachments (REST on the gateway). A client asks for a ticket,
 * sends the bytes where the ticket says (a presigned S3 URL, or the gateway
 * itself with the filesystem engine), then sends `message:send` with kind
 * `image` or `file` and `body.attachmentId` = the ticket's `uploadId`. The
 * server measures the size and sniffs the type from the bytes; it never
 * trusts the client's. Browser-safe: no Node imports.
 */

/** PARLEY_UPLOAD_MAX_BYTES's default: 20 MB. */
export const DEFAULT_UPLOAD_MAX_BYTES = 20 * 1024 * 1024;
/** A file name as the uploader gave it; kept only as a label (cleaned by the server). */
export const MAX_FILE_NAME_LENGTH = 200;

export const uploadTicketBodySchema = z
  .strictObject({
    name: z.string().min(1).max(MAX_FILE_NAME_LENGTH).meta({ description: 'the file name to show (no path)', example: 'cat.jpg' }),
    size: z.number().int().min(1).meta({ description: 'bytes the client will send; over PARLEY_UPLOAD_MAX_BYTES gets 413 PAYLOAD_TOO_LARGE' }),
    mime: z.string().max(255).optional().meta({ description: "the client's guess, a hint only: the server sniffs the bytes" }),
  })
  .meta({ id: 'UploadTicketBody' });
export type UploadTicketBody = z.infer<typeof uploadTicketBodySchema>;

export const uploadTicketSchema = z
  .object({
    uploadId: z.string().meta({ description: 'use as `body.attachmentId` in `message:send` once the bytes are sent' }),
    url: z.string().meta({ description: 'where to send the bytes (absolute, or relative to the gateway)' }),
    method: z.literal('PUT'),
    headers: z.record(z.string(), z.string()).meta({ description: 'headers the request must carry, as given' }),
    expiresAt: z.number().int().meta({ description: 'the ticket is refused after this time (epoch ms); unsent uploads are swept' }),
    maxBytes: z.number().int().meta({ description: 'the upload limit' }),
  })
  .meta({ id: 'UploadTicket' });
export type UploadTicket = z.infer<typeof uploadTicketSchema>;

/** `POST /api/uploads/:id/complete`: checks the bytes now (type, size, image processing) instead of at send. */
export const uploadCompleteResultSchema = z.object({ attachment: attachmentSchema.meta({ id: 'Attachment' }) }).meta({ id: 'UploadComplete' });
export type UploadCompleteResult = z.infer<typeof uploadCompleteResultSchema>;

export const attachmentVariantSchema = z.enum(['original', 'thumbnail']);
export type AttachmentVariant = z.infer<typeof attachmentVariantSchema>;

export const attachmentQuerySchema = z.object({
  variant: attachmentVariantSchema.default('original').meta({ description: '`thumbnail`: the small image of an image attachment' }),
});

/** `GET /api/attachments/:id`: members of the conversation it was sent in only. */
export const attachmentLinkSchema = z
  .object({
    attachment: attachmentSchema,
    url: z.string().meta({ description: 'a short-lived URL to the bytes (absolute, or relative to the gateway)' }),
    thumbnailUrl: z.string().optional().meta({ description: 'images: a short-lived URL to the thumbnail' }),
    expiresAt: z.number().int().meta({ description: 'the URLs stop working after this time (epoch ms)' }),
  })
  .meta({ id: 'AttachmentLink' });
export type AttachmentLink = z.infer<typeof attachmentLinkSchema>;
