import type { AdminStore } from './admin';
import type { GroupStore } from './groups';
import type { InvitationStore } from './invitations';
import type { MessageStore } from './messages';
import type { NotificationStore } from './notifications';
import type { RequestStore } from './requests';
import type { AuthSessionStore } from './sessions';
import type { SocialStore } from './social';
import type { UploadStore } from './uploads';
import type { UserStore } from './users';

export * from './admin';
export * from './errors';
export * from './groups';
export * from './invitations';
export * from './messages';
export * from './notifications';
export * from './requests';
export * from './sessions';
export * from './social';
export * from './uploads';
export * from './users';

/** A store's own life: schema, health and shutdown. */
export interface StoreLifecycle {
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** Cheap round trip used by health checks. */
  ping(): Promise<void>;
}

/** Every aggregate of the store, without its life cycle: what a service using all of them asks for. */
export type StoreAggregates = UserStore & SocialStore & GroupStore & RequestStore & InvitationStore & MessageStore & AuthSessionStore & AdminStore & UploadStore & NotificationStore;

/**
 * The durable store: the intersection of one port per aggregate. A service
 * asks only for the slices it uses; engines implement them all. Every method
 * is atomic; engines map unreachable databases to UNAVAILABLE and refusals to
 * a StoreError naming the reason (errors.ts holds the wording).
 */
export type Store = StoreLifecycle & StoreAggregates;
