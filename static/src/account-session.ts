import type { ParleyClient, SignOutReason } from '@parley/client';
import { ParleyError } from '@parley/protocol';
import { describeSessionEnd } from './describe-error';

/** The cookie every tab shares now holds another account's session: this tab must not carry on as that account. */
const ACCOUNT_SWITCHED = 'You signed in with another account in another tab.';
/** Signing out everywhere or deleting the account found this tab's session over: nothing was done. */
const ALREADY_ENDED = 'Your session had already ended — sign in again to do this.';

/**
 * How this tab's sign-in ends: on its own (the client signs out, another
 * device changed the password, it expired) or on purpose (sign out, sign out
 * everywhere, delete the account), and the account requests that need a
 * live token. The app hears of the end once, with what to tell the person.
 */
export class AccountSession {
  /** The session is over (or being ended on purpose): later signs of its end say nothing more. */
  private ended = false;

  constructor(
    private readonly client: ParleyClient,
    private readonly onSignedOut: (notice?: string) => void,
    private readonly isClosed: () => boolean,
    /** Run before a sign-out on purpose, while the token still works (stop pushes); its failure does not stop the sign-out. */
    private readonly beforeSignOut: () => Promise<void> = async () => undefined,
  ) {}

  /** The client signed out by itself (a session end it cannot cure), saying why. */
  signedOut(reason: SignOutReason | undefined): void {
    if (reason === 'account-switched') this.endWith(ACCOUNT_SWITCHED);
    else this.endWith(describeSessionEnd(reason === 'unauthorized' ? undefined : reason));
  }

  /** Changes the password; the server ends every other session, this one goes on. Throws on refusal. */
  async changePassword(currentPassword: string, newPassword: string): Promise<void> {
    await this.withFreshToken(() => this.client.changePassword(currentPassword, newPassword));
  }

  /** Signs this device out (the server forgets the session and clears its cookie). Throws when the server could not be told. */
  async logout(): Promise<void> {
    await this.endOnPurpose(() => this.client.logout(), undefined, undefined);
  }

  /** Signs out every session of mine, this one included. */
  async logoutEverywhere(): Promise<void> {
    await this.endOnPurpose(() => this.client.logoutAll(), 'You signed out on every device.', ALREADY_ENDED);
  }

  /** Deletes my account, confirmed with the password; every session ends. Throws on refusal (a wrong password). */
  async deleteAccount(password: string): Promise<void> {
    await this.endOnPurpose(() => this.client.deleteAccount(password), 'Your account was deleted.', ALREADY_ENDED);
  }

  /** Tells the app once that the session is over; the app then stops the store. */
  private endWith(notice: string | undefined): void {
    if (this.ended || this.isClosed()) return;
    this.ended = true;
    this.onSignedOut(notice);
  }

  /**
   * Runs a request that ends this session: the client's and the server's own
   * word of the end (`signedOut`, a `session:ended` push) is not news
   * meanwhile; on success the app hears `notice`; on failure the session
   * goes on. When this session had already ended (UNAUTHORIZED, even after a
   * refresh) the app hears `noticeIfOver`: for a plain logout (undefined)
   * that is what was wanted, but signing out everywhere or deleting the
   * account did not happen, and saying it did would be a lie.
   */
  private async endOnPurpose(request: () => Promise<void>, notice: string | undefined, noticeIfOver: string | undefined): Promise<void> {
    this.ended = true;
    await this.beforeSignOut().catch(() => undefined);
    try {
      await this.withFreshToken(request);
    } catch (err) {
      if (!(err instanceof ParleyError && err.code === 'UNAUTHORIZED')) {
        this.ended = false;
        throw err;
      }
      this.onSignedOut(noticeIfOver);
      return;
    }
    this.onSignedOut(notice);
  }

  /** Runs an account request; a token refused (expired while the tab slept) is renewed once and the request tried again. */
  private async withFreshToken(request: () => Promise<void>): Promise<void> {
    try {
      await request();
    } catch (err) {
      if (!(err instanceof ParleyError && err.code === 'UNAUTHORIZED' && (await this.client.refreshToken()))) throw err;
      await request();
    }
  }
}
