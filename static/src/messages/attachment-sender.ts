import type { ParleyClient } from '@parley/client';
import { MAX_FILE_NAME_LENGTH, type Message, type NewMessageTarget } from '@parley/protocol';
import { describe } from '../describe-error';
import { newId } from '../ids';
import type { Action } from '../state/actions';

export interface AttachmentHost {
  readonly client: ParleyClient;
  dispatch(action: Action): void;
  /** A message acked by the server, shown like any received. */
  received(message: Message): void;
}

/**
 * Sends files as messages through the client library (upload ticket, the
 * bytes to the ticket's URL, the server's check of them, which says whether
 * it is an image: the type comes from the bytes, never from the browser;
 * then `message:send`), with a progress bar per file.
 */
export class AttachmentSender {
  constructor(private readonly host: AttachmentHost) {}

  async send(conversationId: string, to: NewMessageTarget, file: File, caption?: string): Promise<void> {
    const id = newId();
    const previewUrl = file.type.startsWith('image/') && typeof URL.createObjectURL === 'function' ? URL.createObjectURL(file) : undefined;
    const { dispatch, client } = this.host;
    const name = fileName(file.name);
    dispatch({ type: 'upload/started', upload: { id, conversationId, name, size: file.size, previewUrl, progress: 0, status: 'uploading' } });
    try {
      const text = caption?.trim();
      const message = await client.sendAttachment(to, file, name, {
        clientMsgId: id,
        ...(text ? { caption: text } : {}),
        onProgress: (sent, total) => dispatch(sent >= total ? { type: 'upload/sending', id } : { type: 'upload/progress', id, progress: total > 0 ? sent / total : 0 }),
      });
      this.host.received(message);
      this.dismiss(id, previewUrl);
    } catch (err) {
      dispatch({ type: 'upload/failed', id, error: describe(err) });
    }
  }

  dismiss(id: string, previewUrl?: string): void {
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    this.host.dispatch({ type: 'upload/finished', id });
  }
}

/**
 * The name the upload is given: at most MAX_FILE_NAME_LENGTH UTF-16 units (the
 * server's limit), cut between code points so an emoji or a rare CJK
 * character at the cut is dropped whole, never left as half a surrogate pair.
 */
export function fileName(name: string): string {
  let out = '';
  for (const ch of name || 'file') {
    if (out.length + ch.length > MAX_FILE_NAME_LENGTH) break;
    out += ch;
  }
  return out;
}
