import { linkify } from '../linkify';

/** Message text as text nodes, with http(s) links clickable; never parsed as HTML. */
export function MessageText({ text }: { text: string }) {
  return (
    <span class="text">
      {linkify(text).map((part, i) =>
        part.kind === 'link' ? (
          <a key={i} href={part.href} target="_blank" rel="noopener noreferrer nofollow">
            {part.text}
          </a>
        ) : (
          part.text
        ),
      )}
    </span>
  );
}
