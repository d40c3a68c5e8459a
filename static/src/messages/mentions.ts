import { MENTION_ALL, MAX_MENTIONS } from '@parley/protocol';

/** Someone the composer can mention: a group member, or everyone (`@all`). */
export interface MentionCandidate {
  id: string;
  name: string;
  username?: string;
}

/** The `@all` choice, offered to a group's owner and admins only. */
export const EVERYONE: MentionCandidate = { id: MENTION_ALL, name: 'all' };
/** Suggestions shown at once. */
const SHOWN = 8;

/** The "@word" being typed at the caret (after a space or at the start): where its "@" is and what follows it. */
export function mentionAt(text: string, caret: number): { start: number; query: string } | undefined {
  const match = /(^|\s)@([^\s@]{0,32})$/u.exec(text.slice(0, caret));
  const query = match?.[2];
  if (query === undefined) return undefined;
  return { start: caret - query.length - 1, query };
}

/** Members matching what follows the "@" (name or username, any part of it; prefix matches first), me left out. */
export function mentionCandidates(members: readonly MentionCandidate[], meId: string, mayMentionAll: boolean, query: string): MentionCandidate[] {
  const q = query.toLowerCase();
  const scored = members
    .filter((m) => m.id !== meId)
    .map((m) => {
      const name = m.name.toLowerCase();
      const username = m.username?.toLowerCase() ?? '';
      const rank = name.startsWith(q) || username.startsWith(q) ? 0 : name.includes(q) || username.includes(q) ? 1 : -1;
      return { m, rank };
    })
    .filter((x) => x.rank >= 0)
    .sort((a, b) => a.rank - b.rank || a.m.name.localeCompare(b.m.name))
    .map((x) => x.m);
  const all = mayMentionAll && EVERYONE.name.startsWith(q) ? [EVERYONE] : [];
  return [...all, ...scored].slice(0, SHOWN);
}

/** The text with the "@query" at `start..caret` replaced by "@Name ", and where the caret goes. */
export function insertMention(text: string, start: number, caret: number, candidate: MentionCandidate): { text: string; caret: number } {
  const label = `@${candidate.name} `;
  return { text: text.slice(0, start) + label + text.slice(caret), caret: start + label.length };
}

/**
 * The mentions a message carries: the people picked whose "@Name" is still
 * in the text; `@all` stands alone (the protocol's rule).
 */
export function mentionsIn(text: string, picked: readonly MentionCandidate[]): string[] {
  const kept = picked.filter((c) => text.includes(`@${c.name}`));
  if (kept.some((c) => c.id === MENTION_ALL)) return [MENTION_ALL];
  return [...new Set(kept.map((c) => c.id))].slice(0, MAX_MENTIONS);
}
