import { safeHref } from '../linkify';
import { hueOf, initials } from '../format';

interface Props {
  id: string;
  name: string;
  url?: string;
  size?: 'sm' | 'md' | 'lg';
  /** undefined: no presence shown. */
  online?: boolean;
  group?: boolean;
}

/** A round picture or colored initials, with an optional presence dot. */
export function Avatar({ id, name, url, size = 'md', online, group }: Props) {
  const href = url ? safeHref(url) : undefined;
  return (
    <span class={`avatar avatar-${size}${group ? ' avatar-group' : ''}`} style={{ '--hue': String(hueOf(id)) }} aria-hidden="true">
      {href ? <img src={href} alt="" referrerpolicy="no-referrer" loading="lazy" /> : <span>{initials(name)}</span>}
      {online !== undefined && <i class={`dot ${online ? 'dot-on' : 'dot-off'}`} data-testid="presence-dot" data-online={String(online)} />}
    </span>
  );
}
