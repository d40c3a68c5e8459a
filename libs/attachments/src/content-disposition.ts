/**
 * A Content-Disposition value for a file name the uploader chose: an ASCII
 * fallback (quotes, backslashes and control characters replaced) plus the
 * RFC 8187 `filename*` with the real name, so no name can break the header.
 */
export function contentDisposition(disposition: 'inline' | 'attachment', fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_') || 'file';
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
