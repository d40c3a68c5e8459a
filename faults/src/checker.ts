/**
 * The delivery checker of the fault-injection suite: pure, no I/O.
 *
 * Input, per conversation: every message the server acknowledged to a sender,
 * and for every recipient session (a simulated client; all members of the
 * conversation, the sender included, since every session of every member
 * gets every message) two views after a last full sync:
 *   - `delivered`: the messages the client library emitted to the app, in
 *     the order it emitted them;
 *   - `held`: what the client finally holds for the conversation, in the
 *     order it returns them.
 *
 * The four counts (all must be 0):
 *
 * - **lost**: pairs (acked message, recipient) where the recipient holds no
 *   message with that id. A message the server acked is owed to every member.
 *
 * - **duplicated**: (a) pairs (recipient, message id) where the id occurs more
 *   than once in `delivered` or in `held` (counted once per pair); plus (b) for
 *   each (senderId, clientMsgId), the number of distinct message ids beyond the
 *   first seen for it anywhere (acks and every recipient's views): one send
 *   stored twice.
 *
 * - **out_of_order**: entries of a recipient's `delivered` or `held` sequence
 *   (first occurrences of an id only; repeats are duplicates) whose seq is not
 *   strictly greater than every seq before it in that sequence; plus, per
 *   conversation, acked messages that share a seq with a different message id
 *   (seq must be unique: two messages at one seq have no order).
 *
 * - **gaps**: per recipient and conversation, the integers in [1, max] missing
 *   from the seqs of `held`, where max is the highest seq it holds. (Missing
 *   messages after max are not gaps; when acked they count as lost.)
 *   Conversations in this suite are created by the run, so they start at seq 1.
 */

export interface CheckedMessage {
  id: string;
  conversationId: string;
  seq: number;
  senderId: string;
  clientMsgId: string;
}

export interface RecipientView {
  /** Identifies the session in reports (e.g. a username). */
  recipient: string;
  delivered: readonly CheckedMessage[];
  held: readonly CheckedMessage[];
}

export interface ConversationRecord {
  conversationId: string;
  acked: readonly CheckedMessage[];
  recipients: readonly RecipientView[];
}

export interface CheckCounts {
  lost: number;
  duplicated: number;
  outOfOrder: number;
  gaps: number;
  /** Distinct acked message ids. */
  acked: number;
}

export interface CheckReport extends CheckCounts {
  /** Human-readable findings, capped, for the log (not for the result line). */
  findings: string[];
}

const MAX_FINDINGS = 50;

export function checkDelivery(conversations: readonly ConversationRecord[]): CheckReport {
  const report: CheckReport = { lost: 0, duplicated: 0, outOfOrder: 0, gaps: 0, acked: 0, findings: [] };
  const note = (text: string): void => {
    if (report.findings.length < MAX_FINDINGS) report.findings.push(text);
  };

  for (const conv of conversations) {
    const ackedIds = new Set(conv.acked.map((m) => m.id));
    report.acked += ackedIds.size;

    // (b) one (sender, clientMsgId) must map to one id, across acks and all views.
    const idsBySend = new Map<string, Set<string>>();
    const track = (m: CheckedMessage): void => {
      const key = `${m.senderId}\u0000${m.clientMsgId}`;
      let ids = idsBySend.get(key);
      if (!ids) idsBySend.set(key, (ids = new Set()));
      ids.add(m.id);
    };
    conv.acked.forEach(track);
    for (const view of conv.recipients) {
      view.delivered.forEach(track);
      view.held.forEach(track);
    }
    for (const [key, ids] of idsBySend) {
      if (ids.size > 1) {
        report.duplicated += ids.size - 1;
        note(`${conv.conversationId}: clientMsgId ${key.split('\u0000')[1]} stored as ${ids.size} messages`);
      }
    }

    // Seq must be unique among acked messages.
    const idBySeq = new Map<number, string>();
    for (const m of conv.acked) {
      const other = idBySeq.get(m.seq);
      if (other === undefined) idBySeq.set(m.seq, m.id);
      else if (other !== m.id) {
        report.outOfOrder += 1;
        note(`${conv.conversationId}: seq ${m.seq} acked for two messages (${other}, ${m.id})`);
      }
    }

    for (const view of conv.recipients) {
      const who = `${conv.conversationId} @${view.recipient}`;
      const heldIds = new Set(view.held.map((m) => m.id));

      for (const id of ackedIds) {
        if (!heldIds.has(id)) {
          report.lost += 1;
          note(`${who}: acked message ${id} missing`);
        }
      }

      const repeated = new Set([...repeatedIds(view.delivered), ...repeatedIds(view.held)]);
      report.duplicated += repeated.size;
      for (const id of repeated) note(`${who}: message ${id} held or emitted twice`);

      for (const [name, sequence] of [['delivered', view.delivered], ['held', view.held]] as const) {
        const bad = outOfOrderEntries(sequence);
        report.outOfOrder += bad.length;
        for (const m of bad) note(`${who}: ${name} seq ${m.seq} (${m.id}) after a higher or equal seq`);
      }

      const missing = missingSeqs(view.held.map((m) => m.seq));
      report.gaps += missing.length;
      if (missing.length > 0) note(`${who}: missing seqs ${missing.slice(0, 10).join(',')}${missing.length > 10 ? ',…' : ''}`);
    }
  }
  return report;
}

function repeatedIds(sequence: readonly CheckedMessage[]): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const m of sequence) {
    if (seen.has(m.id)) repeated.add(m.id);
    seen.add(m.id);
  }
  return [...repeated];
}

/** First occurrences whose seq does not exceed every earlier seq. */
function outOfOrderEntries(sequence: readonly CheckedMessage[]): CheckedMessage[] {
  const seen = new Set<string>();
  const bad: CheckedMessage[] = [];
  let max = 0;
  for (const m of sequence) {
    if (seen.has(m.id)) continue;
    seen.add(m.id);
    if (m.seq <= max) bad.push(m);
    else max = m.seq;
  }
  return bad;
}

/** Integers in [1, max(seqs)] absent from seqs. */
export function missingSeqs(seqs: readonly number[]): number[] {
  if (seqs.length === 0) return [];
  const present = new Set(seqs);
  const max = seqs.reduce((a, b) => (b > a ? b : a), 0);
  const missing: number[] = [];
  for (let s = 1; s <= max; s++) if (!present.has(s)) missing.push(s);
  return missing;
}
