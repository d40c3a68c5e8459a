import { useState } from 'preact/hooks';
import { NOTICE_MAX_CHARS, type NoticeLevel } from '@parley/protocol';
import type { ConsoleStore } from './console-store';

/** A system notice to everyone online: text and level, confirmed before it goes. */
export function NoticeForm({ store, busy }: { store: ConsoleStore; busy: boolean }) {
  const [text, setText] = useState('');
  const [level, setLevel] = useState<NoticeLevel>('info');
  const trimmed = text.trim();
  return (
    <section class="ops-card" aria-labelledby="ops-notice-title" data-testid="notice-form">
      <h2 id="ops-notice-title">System notice</h2>
      <form
        class="stack"
        aria-label="System notice"
        onSubmit={(e) => {
          e.preventDefault();
          if (trimmed) store.ask({ kind: 'notice', text: trimmed, level });
        }}
      >
        <label>
          Text
          <textarea
            name="notice"
            rows={3}
            maxLength={NOTICE_MAX_CHARS}
            value={text}
            placeholder="e.g. Maintenance at 22:00 UTC: you may be reconnected once."
            onInput={(e) => setText(e.currentTarget.value)}
          />
        </label>
        <fieldset class="choice">
          <legend>Level</legend>
          <label>
            <input type="radio" name="level" checked={level === 'info'} onChange={() => setLevel('info')} /> Information
          </label>
          <label>
            <input type="radio" name="level" checked={level === 'warning'} onChange={() => setLevel('warning')} /> Warning
          </label>
        </fieldset>
        <div class="row between">
          <span class="muted ops-sub">
            {text.length} / {NOTICE_MAX_CHARS}
          </span>
          <button type="submit" class="primary" disabled={busy || !trimmed}>
            Post notice…
          </button>
        </div>
      </form>
    </section>
  );
}
