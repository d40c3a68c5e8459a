import type { AdminAccess, SystemNotice } from '@parley/protocol';
import type { Action } from './state/actions';

/** What the channel needs of the ParleyClient (a fake in its spec). */
export interface OperatorClient {
  rest<T>(method: string, path: string): Promise<T>;
  on(event: 'notice', listener: (notice: SystemNotice) => void): () => void;
}

/**
 * What the chat page has of the operators, apart from the chat: whether I am
 * one (the ops console link) and their notices to everyone online, each a
 * banner until dismissed. The state changes only through `dispatch`.
 */
export class OperatorChannel {
  constructor(
    private readonly client: OperatorClient,
    private readonly dispatch: (action: Action) => void,
  ) {}

  /** Shows each notice the node pushes; returns the unsubscribe. */
  listen(): () => void {
    return this.client.on('notice', (notice) => this.dispatch({ type: 'notice/received', notice }));
  }

  /**
   * Whether the admin API lets me in: only its answer decides (the page
   * never guesses from names). `/api/admin/access` answers anyone signed in,
   * so a normal user's sign-in is not an admin refusal in the gateway's logs.
   */
  async checkAccess(): Promise<void> {
    try {
      // Only a literal true shows the link (no zod in the chat bundle for one boolean).
      const access = await this.client.rest<Partial<AdminAccess> | null>('GET', '/api/admin/access');
      if (access?.admin === true) this.dispatch({ type: 'operator/checked', operator: true });
    } catch {
      // A gateway without the admin API or out of reach: no link.
    }
  }

  dismiss(noticeId: string): void {
    this.dispatch({ type: 'notice/dismissed', id: noticeId });
  }
}
