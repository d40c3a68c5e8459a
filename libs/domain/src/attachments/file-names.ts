import { MAX_FILE_NAME_LENGTH } from '@parley/protocol';

/**
 * A file name as a label: no directories (either slash), no control or
 * bidirectional-override characters (which can make `evil.exe` read as
 * `exe.live`), trimmed, at most MAX_FILE_NAME_LENGTH; `file` when nothing
 * is left.
 */
export function cleanFileName(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? '';
  const cleaned = base.normalize('NFC').replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '').trim();
  const safe = cleaned === '.' || cleaned === '..' ? '' : cleaned;
  return [...safe].slice(0, MAX_FILE_NAME_LENGTH).join('') || 'file';
}
