import type { Clock, IdGenerator, NotificationStore, TokenClaims } from '@parley/domain';
import { ParleyError, type PushSubscriptionInput, type PushSubscriptionView } from '@parley/protocol';

/** Push as a gateway sees it: the key browsers subscribe with and the endpoint policy. */
export interface GatewayPush {
  /** The VAPID public key (base64url), handed to PushManager.subscribe. */
  publicKey: string;
  /**
   * Why the endpoint policy refuses this endpoint (not https, or a host
   * resolving to a non-public address, unless private endpoints are
   * allowed), or null when it may be pushed to.
   */
  checkEndpoint(endpoint: string): Promise<string | null> | string | null;
}

export interface PushSubscriptionServiceDeps {
  store: Pick<NotificationStore, 'savePushSubscription' | 'deletePushSubscription'>;
  /** Absent: push is not configured (no VAPID keys); the key and subscribing answer UNAVAILABLE. */
  push?: GatewayPush;
  ids: IdGenerator;
  clock: Clock;
}

const NOT_CONFIGURED = 'push notifications are not configured';

/** The REST side of push: the VAPID key and each session's subscription. */
export class PushSubscriptionService {
  constructor(private readonly deps: PushSubscriptionServiceDeps) {}

  vapidPublicKey(): string {
    return this.configured().publicKey;
  }

  /**
   * Stores the subscription of the caller's sign-in session, replacing the
   * session's earlier one (the store takes the endpoint over from whoever
   * held it: a browser signed in as someone else must stop getting their pushes).
   */
  async subscribe(claims: TokenClaims, input: PushSubscriptionInput): Promise<PushSubscriptionView> {
    const push = this.configured();
    const refused = await push.checkEndpoint(input.endpoint);
    if (refused !== null) throw new ParleyError('INVALID_ARGUMENT', `endpoint: ${refused}`);
    const saved = await this.deps.store.savePushSubscription({
      id: this.deps.ids.next(),
      userId: claims.userId,
      sessionId: claims.sessionId,
      endpoint: input.endpoint,
      p256dh: input.keys.p256dh,
      auth: input.keys.auth,
      createdAt: this.deps.clock.now(),
    });
    return { id: saved.id, endpoint: saved.endpoint, createdAt: saved.createdAt };
  }

  /** Removes the caller's own subscription with this endpoint; NOT_FOUND when the caller has none such (someone else's included). */
  async unsubscribe(claims: TokenClaims, endpoint: string): Promise<void> {
    if (!(await this.deps.store.deletePushSubscription(claims.userId, endpoint))) {
      throw new ParleyError('NOT_FOUND', 'no push subscription of yours has this endpoint');
    }
  }

  private configured(): GatewayPush {
    if (!this.deps.push) throw new ParleyError('UNAVAILABLE', NOT_CONFIGURED);
    return this.deps.push;
  }
}
