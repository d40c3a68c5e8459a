import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';

interface Props {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  /** A side sheet instead of a centered box. */
  side?: boolean;
  testId?: string;
}

/** A dialog: Escape or the backdrop closes it, focus moves in and comes back. */
export function Modal({ title, onClose, children, side, testId }: Props) {
  const box = useRef<HTMLDivElement>(null);
  // Layout effect: the Escape handler is in place before the dialog is even painted.
  useLayoutEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const first = box.current?.querySelector<HTMLElement>('input, textarea, select, button:not(.close)');
    (first ?? box.current)?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      before?.focus?.();
    };
  }, []);
  return (
    <div class={`backdrop${side ? ' backdrop-side' : ''}`} onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div class={side ? 'sheet' : 'modal'} role="dialog" aria-modal="true" aria-label={title} ref={box} tabIndex={-1} data-testid={testId}>
        <header class="modal-header">
          <h2>{title}</h2>
          <button type="button" class="icon close" aria-label="Close" onClick={onClose}>
            ✕
          </button>
        </header>
        <div class="modal-body">{children}</div>
      </div>
    </div>
  );
}
