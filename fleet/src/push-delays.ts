import type { AckRecord, PushRecord } from './fault-suite';

/** A member as the push measurement sees it (a SimUser fits). */
export interface PushedMember {
  readonly id: string;
  readonly username: string;
  readonly pushes: ReadonlyMap<string, PushRecord>;
}

export interface WindowConversation {
  conversationId: string;
  members: readonly PushedMember[];
}

export interface AckedMessage {
  id: string;
  senderId: string;
}

export interface PushReport {
  /** Acked messages in the window. */
  messages: number;
  /** (message, recipient) pairs owed a live push: every member but the sender. */
  owed: number;
  /** Of those, pushes from a node other than the sender's. */
  crossNode: number;
  /** Longest time from the sender's ack to a recipient's push on another node (0 when none). */
  maxCrossNodePushDelayMs: number;
  /** Pairs that got no live push at all (only a sync would bring them). */
  notPushed: number;
  /** A few of them, for the log. */
  notPushedExamples: string[];
}

/**
 * Over the messages acked within [from, to]: how long the live pushes to the
 * other members took from the sender's ack, and which members got no push.
 * A push that came before the sender's ack (the relay can beat the ack) counts 0.
 */
export function measurePushes(
  window: { from: number; to: number },
  conversations: readonly WindowConversation[],
  acked: ReadonlyMap<string, readonly AckedMessage[]>,
  acks: ReadonlyMap<string, AckRecord>,
): PushReport {
  const report: PushReport = { messages: 0, owed: 0, crossNode: 0, maxCrossNodePushDelayMs: 0, notPushed: 0, notPushedExamples: [] };
  for (const conversation of conversations) {
    for (const message of acked.get(conversation.conversationId) ?? []) {
      const ack = acks.get(message.id);
      if (!ack || ack.at < window.from || ack.at > window.to) continue;
      report.messages++;
      for (const member of conversation.members) {
        if (member.id === message.senderId) continue;
        report.owed++;
        const push = member.pushes.get(message.id);
        if (!push) {
          report.notPushed++;
          if (report.notPushedExamples.length < 10) report.notPushedExamples.push(`${message.id} to ${member.username} in ${conversation.conversationId}`);
          continue;
        }
        if (push.nodeId === ack.senderNodeId) continue;
        report.crossNode++;
        report.maxCrossNodePushDelayMs = Math.max(report.maxCrossNodePushDelayMs, push.at - ack.at);
      }
    }
  }
  return report;
}
