/** What the edge knows about the client making a request (the gateway takes `ip` from Express's `req.ip`, which honours PARLEY_TRUST_PROXY). */
export interface ClientInfo {
  /** The client's IP address: throttles key on it. */
  ip: string;
  /** The client's User-Agent, kept with a new sign-in to tell sessions apart; absent when not sent. */
  userAgent?: string;
}
