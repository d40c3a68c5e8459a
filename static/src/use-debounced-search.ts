import { useEffect } from 'preact/hooks';

/**
 * Search-as-you-type: runs `search` with the trimmed query once typing pauses
 * for `delayMs`, and `clear` at once when the box is emptied. `isLive()`
 * turns false when a newer query (or unmounting) supersedes this one, so a
 * late answer can be dropped.
 */
export function useDebouncedSearch(
  q: string,
  search: (query: string, isLive: () => boolean) => void,
  clear: () => void,
  delayMs = 250,
): void {
  useEffect(() => {
    const query = q.trim();
    if (!query) {
      clear();
      return;
    }
    let live = true;
    const timer = setTimeout(() => search(query, () => live), delayMs);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [q, delayMs]);
}
