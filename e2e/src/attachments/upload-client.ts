import type { AttachmentLink, UploadTicket } from '@parley/protocol';

/** A REST answer: status and parsed body (JSON or problem document). */
export interface Answer<T> {
  status: number;
  body: T & { code?: string };
  headers: Headers;
}

/** Calls the gateway as a client would, with the user's bearer token. */
export async function api<T>(gatewayUrl: string, token: string, method: string, path: string, body?: unknown): Promise<Answer<T>> {
  const res = await fetch(`${gatewayUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T & { code?: string }, headers: res.headers };
}

/** A ticket's or link's URL: absolute (S3) or relative to the gateway (fs). */
export const absolute = (gatewayUrl: string, url: string): string => new URL(url, gatewayUrl).toString();

/** Asks for a ticket for `bytes` and PUTs them where it says; answers the ticket and the PUT's status. */
export async function upload(gatewayUrl: string, token: string, name: string, bytes: Buffer, send = bytes): Promise<{ ticket: UploadTicket; put: number }> {
  const ticket = await api<UploadTicket>(gatewayUrl, token, 'POST', '/api/uploads', { name, size: bytes.length });
  if (ticket.status !== 201) throw new Error(`ticket refused: ${ticket.status} ${JSON.stringify(ticket.body)}`);
  const res = await fetch(absolute(gatewayUrl, ticket.body.url), { method: 'PUT', headers: ticket.body.headers, body: new Uint8Array(send) });
  await res.arrayBuffer();
  return { ticket: ticket.body, put: res.status };
}

/** The bytes behind a link URL, with the response. */
export async function download(gatewayUrl: string, url: string): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
  const res = await fetch(absolute(gatewayUrl, url));
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

export type { AttachmentLink };
