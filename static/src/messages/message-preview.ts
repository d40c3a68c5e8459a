import type { Message } from '@parley/protocol';

/** One line for a message where there is no room for its content: the list's preview, a quote, a search result. */
export function previewText(m: Pick<Message, 'kind' | 'body' | 'recalled'>): string {
  if (m.recalled) return 'Message recalled';
  const caption = m.body.text ? ` ${m.body.text}` : '';
  if (m.kind === 'image') return `📷 Photo${caption}`;
  if (m.kind === 'file') return `📎 ${m.body.attachment?.name ?? 'File'}${caption}`;
  return m.body.text;
}
