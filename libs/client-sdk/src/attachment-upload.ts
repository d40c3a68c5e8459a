import { ParleyError, type Attachment, type UploadTicket } from '@parley/protocol';
import { problemToError } from './gateway-api';

/** The bytes of a file: a browser's `File`/`Blob`, or bytes in memory. */
export type FileBytes = Blob | Uint8Array | ArrayBuffer;

export interface UploadOptions {
  /** The client's guess of the type, a hint only: the server sniffs the bytes. @default a Blob's `type` */
  mime?: string;
  /** Upload progress, in bytes (browsers: as sent; elsewhere at the start and the end). */
  onProgress?: (sent: number, total: number) => void;
}

export interface UploadHooks {
  /** A REST call to the gateway with the session's token. */
  rest<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** Resolves a URL the gateway gave (absolute, or relative to it). */
  resolve(url: string): string;
  fetch: typeof fetch;
}

/**
 * Uploads a file the way the protocol says: a ticket from the gateway, the
 * bytes sent where the ticket says (a presigned S3 URL, or the gateway
 * itself), then `complete`, which checks the bytes and answers what the
 * server measured (type, size, image dimensions). The upload's id goes in a
 * `message:send` as `body.attachmentId`.
 */
export async function uploadFile(hooks: UploadHooks, file: FileBytes, name: string, options: UploadOptions = {}): Promise<Attachment> {
  const size = byteLength(file);
  const mime = options.mime ?? (isBlob(file) && file.type ? file.type : undefined);
  const ticket = await hooks.rest<UploadTicket>('POST', '/api/uploads', { name, size, ...(mime ? { mime } : {}) });
  await putBytes(hooks, ticket, file, size, options.onProgress);
  const { attachment } = await hooks.rest<{ attachment: Attachment }>('POST', `/api/uploads/${encodeURIComponent(ticket.uploadId)}/complete`);
  return attachment;
}

/** Sends the bytes as the ticket says; with XMLHttpRequest (browsers) progress is reported as it goes. */
async function putBytes(hooks: UploadHooks, ticket: UploadTicket, file: FileBytes, size: number, onProgress?: (sent: number, total: number) => void): Promise<void> {
  const url = hooks.resolve(ticket.url);
  onProgress?.(0, size);
  if (typeof XMLHttpRequest === 'function') {
    await putWithXhr(url, ticket, file, size, onProgress);
  } else {
    let res: Response;
    try {
      res = await hooks.fetch(url, { method: ticket.method, headers: ticket.headers, body: toBody(file) });
    } catch (err) {
      throw new ParleyError('UNAVAILABLE', 'upload failed: the server did not answer', { cause: err });
    }
    const text = await res.text().catch(() => '');
    if (!res.ok) throw uploadError(res.status, text);
  }
  onProgress?.(size, size);
}

function putWithXhr(url: string, ticket: UploadTicket, file: FileBytes, size: number, onProgress?: (sent: number, total: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(ticket.method, url);
    for (const [key, value] of Object.entries(ticket.headers)) xhr.setRequestHeader(key, value);
    if (onProgress) xhr.upload.onprogress = (e) => onProgress(Math.min(e.loaded, size), size);
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve() : reject(uploadError(xhr.status, xhr.responseText)));
    xhr.onerror = () => reject(new ParleyError('UNAVAILABLE', 'upload failed: the server did not answer'));
    xhr.send(toBody(file));
  });
}

/** The gateway answers a problem document; S3 an XML error (too big: 413, or 400 EntityTooLarge). */
function uploadError(status: number, text: string): ParleyError {
  if (status === 413 || /EntityTooLarge/.test(text)) return new ParleyError('PAYLOAD_TOO_LARGE', 'the file is larger than the upload allows');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return problemToError(status, parsed);
}

function isBlob(file: FileBytes): file is Blob {
  return typeof Blob === 'function' && file instanceof Blob;
}

function byteLength(file: FileBytes): number {
  return isBlob(file) ? file.size : file.byteLength;
}

function toBody(file: FileBytes): Blob | ArrayBuffer {
  if (isBlob(file) || file instanceof ArrayBuffer) return file;
  // A copy that is exactly the view's bytes (a Uint8Array may be a window on a larger buffer).
  return file.slice().buffer as ArrayBuffer;
}
