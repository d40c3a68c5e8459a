import { z } from 'zod';
import { attachmentLinkSchema, attachmentQuerySchema, uploadCompleteResultSchema, uploadTicketBodySchema, uploadTicketSchema } from '@parley/protocol';
import { blobKeyParamsSchema, blobLinkQuerySchema } from './blobs.router';
import { INVALID_BODY, INVALID_QUERY, UNAUTHORIZED, BUG, type RestOperation } from './rest-operation';
import { attachmentIdParamsSchema, uploadContentQuerySchema, uploadIdParamsSchema } from './uploads.router';

const NOT_CONFIGURED = 'attachments are not configured, or the blob storage or the database is unreachable; retry later';

/** Uploads, attachment links and the fs engine's transfers (uploads.router.ts, blobs.router.ts). */
export const ATTACHMENT_OPERATIONS: readonly RestOperation[] = [
  {
    method: 'post',
    path: '/api/uploads',
    operationId: 'createUpload',
    tag: 'attachments',
    summary: 'An upload ticket: where to send the bytes of a file',
    description:
      'PUT exactly `size` bytes to `url` with `headers` before `expiresAt` (a presigned S3 URL, or `/api/uploads/{id}/content` on the gateway with the filesystem engine), then send `message:send` with kind `image` or `file` and `body.attachmentId` = `uploadId`. The type is sniffed from the bytes, never taken from `mime` or the name; images are re-encoded without metadata (EXIF, GPS) and get a thumbnail. Unsent uploads are swept after `PARLEY_UPLOAD_TTL_SEC`.',
    bearer: true,
    body: uploadTicketBodySchema,
    success: { status: 201, description: 'The ticket', schema: uploadTicketSchema },
    errors: {
      INVALID_ARGUMENT: INVALID_BODY,
      UNAUTHORIZED,
      PAYLOAD_TOO_LARGE: '`size` is over `PARLEY_UPLOAD_MAX_BYTES` (default 20 MB); nothing was stored',
      CONFLICT: '20 uploads of yours are already waiting to be sent; send them or let them expire',
      UNAVAILABLE: NOT_CONFIGURED,
      INTERNAL: BUG,
    },
  },
  {
    method: 'put',
    path: '/api/uploads/{id}/content',
    operationId: 'putUploadContent',
    tag: 'attachments',
    summary: "The bytes of an upload (filesystem engine): the ticket's `url`",
    description: "No bearer token: the ticket's signed token `t` is the authority. Once per upload; the bytes are counted as they arrive and refused past the ticket's `size`.",
    bearer: false,
    params: uploadIdParamsSchema,
    query: uploadContentQuerySchema,
    rawBody: { mediaType: 'application/octet-stream', description: 'the file, at most the ticket’s `size` bytes' },
    success: { status: 204, description: 'Received; send it in a message (or check it first with complete)' },
    errors: {
      INVALID_ARGUMENT: INVALID_QUERY + ', or the request was aborted',
      FORBIDDEN: 'the token is not the one of this upload, or it expired',
      NOT_FOUND: 'no such upload, or it expired',
      CONFLICT: 'the bytes of this upload were already sent',
      PAYLOAD_TOO_LARGE: "more bytes than the ticket's `size`; nothing was stored",
      UNAVAILABLE: NOT_CONFIGURED,
      INTERNAL: BUG,
    },
  },
  {
    method: 'post',
    path: '/api/uploads/{id}/complete',
    operationId: 'completeUpload',
    tag: 'attachments',
    summary: 'Check an upload now: what its bytes are (otherwise checked when it is sent)',
    bearer: true,
    params: uploadIdParamsSchema,
    success: { status: 200, description: 'What the bytes are: type, size, image dimensions', schema: uploadCompleteResultSchema },
    errors: {
      INVALID_ARGUMENT: 'a malformed upload id',
      UNAUTHORIZED,
      NOT_FOUND: 'no such upload of yours (someone else’s is not found either), or it expired',
      CONFLICT: 'the bytes have not been received yet',
      PAYLOAD_TOO_LARGE: "more bytes arrived than the ticket's `size`; they were deleted",
      UNAVAILABLE: NOT_CONFIGURED,
      INTERNAL: BUG,
    },
  },
  {
    method: 'get',
    path: '/api/attachments/{id}',
    operationId: 'getAttachmentLink',
    tag: 'attachments',
    summary: 'Short-lived links to an attachment sent in one of your conversations',
    description: 'For members of the conversation the attachment was sent in only; anyone else (even with the id) gets 404, so ids say nothing. The URLs work for 300 s.',
    bearer: true,
    params: attachmentIdParamsSchema,
    query: attachmentQuerySchema,
    success: { status: 200, description: 'The attachment and its URLs', schema: attachmentLinkSchema },
    errors: {
      INVALID_ARGUMENT: INVALID_QUERY,
      UNAUTHORIZED,
      NOT_FOUND: 'no such attachment in a conversation of yours (or it was recalled); `thumbnail` of a file without one',
      UNAVAILABLE: NOT_CONFIGURED,
      INTERNAL: BUG,
    },
  },
  {
    method: 'get',
    path: '/api/blobs/{key}',
    operationId: 'getBlob',
    tag: 'attachments',
    summary: 'The bytes behind a download link (filesystem engine)',
    description:
      "No bearer token: the link's signature is the authority, so `<img src>` works. Served with the sniffed type and `X-Content-Type-Options: nosniff`, as a download unless it is an image, under `Content-Security-Policy: default-src 'none'`.",
    bearer: false,
    params: blobKeyParamsSchema,
    query: blobLinkQuerySchema,
    success: { status: 200, description: 'The bytes, with the type sniffed at upload', schema: z.string(), mediaType: 'application/octet-stream' },
    errors: {
      INVALID_ARGUMENT: INVALID_QUERY,
      FORBIDDEN: 'the signature does not match or the link expired',
      NOT_FOUND: 'the file is gone (recalled or swept)',
      UNAVAILABLE: NOT_CONFIGURED,
      INTERNAL: BUG,
    },
  },
];
