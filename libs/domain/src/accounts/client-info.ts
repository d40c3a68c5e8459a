/** What the edge knows about the client making a request (the gateway takes `ip` from Express's `req.ip`, which honours PARLEY_TRUST_PROXY). */
export interface ClientInfo {
  /**
   * The client's address as the per-address limits count it: IPv4 (also for an
   * IPv4-mapped address), or an IPv6 address's prefix (`2001:db8:0:1:0:0:0:0/64`,
   * PARLEY_IPV6_PREFIX), so one subscriber's block is one client.
   */
  ip: string;
  /** The client's User-Agent, kept with a new sign-in to tell sessions apart; absent when not sent. */
  userAgent?: string;
}
