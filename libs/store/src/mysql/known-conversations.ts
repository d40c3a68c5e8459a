/**
 * Conversations this process has seen committed: they exist for good
 * (conversation rows are never deleted), so an append to one of them cannot
 * be the one that creates it, and needs no statement adding its members.
 * Bounded: past `limit` ids the oldest are forgotten, which only costs
 * their next batch that statement again.
 */
export class KnownConversations {
  private readonly ids = new Set<string>();

  constructor(private readonly limit = 100_000) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Call only once the transaction that wrote to them has committed. */
  add(ids: Iterable<string>): void {
    for (const id of ids) {
      this.ids.delete(id);
      this.ids.add(id);
    }
    // A Set iterates in insertion order: the first ids are the least recently added.
    for (const id of this.ids) {
      if (this.ids.size <= this.limit) break;
      this.ids.delete(id);
    }
  }
}
