import { useEffect, useRef, useState } from 'preact/hooks';
import type { Attachment, AttachmentLink } from '@parley/protocol';
import { formatBytes } from '../format';
import { t } from '../i18n';
import type { ChatStore } from '../store';

interface LinkState {
  link?: AttachmentLink;
  failed: boolean;
  /** Call from the image's `onerror`: asks for a fresh link once (the one held expired early); a second failure shows it failed. */
  reload: () => void;
}

/** The link to an attachment's variant, asked for when shown; undefined while it loads or when refused. */
function useLink(store: ChatStore, attachmentId: string, variant: 'original' | 'thumbnail'): LinkState {
  const [state, setState] = useState<{ link?: AttachmentLink; failed: boolean }>({ failed: false });
  const retried = useRef(false);
  const live = useRef(true);
  useEffect(() => {
    live.current = true;
    retried.current = false;
    store.links.get(attachmentId, variant).then(
      (link) => live.current && setState({ link, failed: false }),
      () => live.current && setState({ failed: true }),
    );
    return () => {
      live.current = false;
    };
  }, [store, attachmentId, variant]);
  const reload = () => {
    if (retried.current) return setState({ failed: true });
    retried.current = true;
    store.links.refresh(attachmentId, variant).then(
      (link) => live.current && setState({ link, failed: false }),
      () => live.current && setState({ failed: true }),
    );
  };
  return { ...state, reload };
}

/** The box an image takes before it loads, from its pixel size, so the chat does not jump. */
function thumbBox(a: Attachment): { width: number; height: number } {
  const w = a.width ?? 240;
  const h = a.height ?? 180;
  const scale = Math.min(1, 240 / w, 240 / h);
  return { width: Math.max(48, Math.round(w * scale)), height: Math.max(48, Math.round(h * scale)) };
}

/** An image message's thumbnail; clicking opens the viewer. */
export function ImageThumb({ store, attachment, onOpen }: { store: ChatStore; attachment: Attachment; onOpen: () => void }) {
  const { link, failed, reload } = useLink(store, attachment.id, attachment.thumbnail ? 'thumbnail' : 'original');
  const box = thumbBox(attachment);
  const src = link && !failed ? (link.thumbnailUrl ?? link.url) : undefined;
  return (
    <button type="button" class="thumb" style={box} onClick={onOpen} aria-label={t('attachment.openImage', { name: attachment.name })} data-testid="image-thumb">
      {src ? <img src={src} alt={attachment.name} width={box.width} height={box.height} onError={reload} /> : <span class="thumb-wait">{failed ? t('attachment.imageUnavailable') : ''}</span>}
    </button>
  );
}

/** A file message: name, size, and a download that asks for a fresh link first (they expire in minutes). */
export function FileCard({ store, attachment }: { store: ChatStore; attachment: Attachment }) {
  const [busy, setBusy] = useState(false);
  const download = async () => {
    setBusy(true);
    try {
      const link = await store.links.get(attachment.id, 'original');
      const a = document.createElement('a');
      a.href = link.url;
      a.download = attachment.name;
      a.rel = 'noopener';
      document.body.appendChild(a);
      a.click();
      a.remove();
    } catch {
      store.toast(t('attachment.downloadFailed'), 'error');
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="file-card" data-testid="file-card">
      <span class="file-icon" aria-hidden="true">
        📄
      </span>
      <span class="file-text">
        <span class="file-name" data-testid="file-name">
          {attachment.name}
        </span>
        <span class="file-size">{formatBytes(attachment.size)}</span>
      </span>
      <button type="button" class="file-download" onClick={() => void download()} disabled={busy} aria-label={t('attachment.download', { name: attachment.name })} data-testid="file-download">
        ⬇
      </button>
    </div>
  );
}

/** The image viewer: the original over the page; Escape, the backdrop or ✕ closes it. */
export function Lightbox({ store, attachment, onClose }: { store: ChatStore; attachment: Attachment; onClose: () => void }) {
  const { link, failed, reload } = useLink(store, attachment.id, 'original');
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div class="lightbox" role="dialog" aria-modal="true" aria-label={t('attachment.image', { name: attachment.name })} data-testid="lightbox" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <button type="button" class="icon close lightbox-close" aria-label={t('attachment.close')} onClick={onClose}>
        ✕
      </button>
      {link && !failed ? <img src={link.url} alt={attachment.name} data-testid="lightbox-image" onError={reload} /> : <p class="muted">{failed ? t('attachment.loadFailed') : t('attachment.loading')}</p>}
      <p class="lightbox-caption">
        {attachment.name} · {formatBytes(attachment.size)}
        {attachment.width && attachment.height ? ` · ${attachment.width}×${attachment.height}` : ''}
      </p>
    </div>
  );
}
