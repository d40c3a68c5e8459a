import type { Message } from '@parley/protocol';

/** A text message from `b` at `seq` (its text and ids from the seq), for the client's specs. */
export function textMessage(seq: number, fields: Partial<Message> = {}): Message {
  return {
    id: `m${seq}`,
    conversationId: 'd:a:b',
    seq,
    senderId: 'b',
    kind: 'text',
    body: { text: `m${seq}` },
    clientMsgId: `c${seq}`,
    createdAt: seq,
    ...fields,
  };
}
