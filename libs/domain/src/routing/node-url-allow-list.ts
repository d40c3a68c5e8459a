/** Loopback only: a fresh deployment hands out no node that is not on its own machine. */
export const LOOPBACK_NODE_HOSTS = '127.0.0.1,localhost,[::1]';

/** A label character in a wildcard: letters, digits, `-` and `_` (Docker service names use it). */
const LABEL_CHARS = '[a-z0-9_-]+';

export type NodeUrlVerdict =
  | { allowed: true; host: string }
  /** `host` is host[:port] only, safe to log (no path, no credentials); `reason` never quotes the URL. */
  | { allowed: false; host: string; reason: string };

interface HostPattern {
  /** An exact (normalized) host, or a wildcard compiled to a regex. */
  host: string | RegExp;
  /** Without a port, any port matches. */
  port?: number;
}

/**
 * Which IM node URLs a gateway may hand to clients (PARLEY_NODE_URL_ALLOW):
 * comma-separated host patterns, each optionally followed by `:port`.
 *
 * - An exact host: `im-1.parley.internal`, `10.0.0.5`, `localhost`, `[fd00::5]`.
 * - `*` stands for one or more label characters (letters, digits, `-`, `_`)
 *   and never crosses a dot: `*.parley.internal` matches `im-1.parley.internal`
 *   but neither `parley.internal` nor `a.b.parley.internal`; `im-*` matches
 *   `im-3`; `10.0.0.*` matches `10.0.0.5`. No wildcards inside IPv6 brackets.
 * - `host:port` matches that port only (the scheme's default when the URL
 *   names none); a pattern without a port matches any port.
 *
 * Hosts compare case-insensitively after URL normalization (punycode, IPv4
 * forms, a trailing dot). Only http: and https: URLs without credentials pass.
 */
export class NodeUrlAllowList {
  private constructor(
    /** The patterns as given, for messages. */
    readonly patterns: readonly string[],
    private readonly compiled: readonly HostPattern[],
  ) {}

  /** Parses the comma-separated list; throws an Error naming the entry it cannot read. */
  static parse(spec: string): NodeUrlAllowList {
    const entries = spec
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (entries.length === 0) throw new Error('lists no host pattern');
    return new NodeUrlAllowList(Object.freeze(entries), Object.freeze(entries.map(parsePattern)));
  }

  check(url: string): NodeUrlVerdict {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return { allowed: false, host: '', reason: 'is not a URL' };
    }
    const host = parsed.host;
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      return { allowed: false, host, reason: `uses ${parsed.protocol} (only http: and https:)` };
    }
    if (parsed.username || parsed.password) return { allowed: false, host, reason: 'carries credentials' };
    const hostname = stripTrailingDot(parsed.hostname);
    const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
    const match = this.compiled.some(
      (p) =>
        (p.port === undefined || p.port === port) &&
        (typeof p.host === 'string' ? p.host === hostname : p.host.test(hostname)),
    );
    return match ? { allowed: true, host } : { allowed: false, host, reason: 'host is not on the allow-list' };
  }
}

function parsePattern(entry: string): HostPattern {
  // The host group is not optional: it is there exactly when the entry matches.
  const [, rawHost, rawPort] = /^(\[[0-9a-f:.]+\]|[a-z0-9_*.-]+)(?::(\d{1,5}))?$/i.exec(entry) ?? [];
  const fail = (why: string): never => {
    throw new Error(`"${entry}" ${why}; expected host, *.domain or host:port`);
  };
  if (rawHost === undefined) return fail('is not a host pattern');
  const port = rawPort === undefined ? undefined : Number(rawPort);
  if (port !== undefined && (port < 1 || port > 65_535)) fail('has a port outside 1-65535');
  const host = stripTrailingDot(rawHost.toLowerCase());
  if (!host.startsWith('[') && host.split('.').some((label) => label === '')) fail('has an empty label');
  if (!host.includes('*')) {
    try {
      return { host: stripTrailingDot(new URL(`http://${host}`).hostname), port };
    } catch {
      return fail('is not a valid host');
    }
  }
  const labels = host.split('.').map((label) => label.split('*').map(escapeRegExp).join(LABEL_CHARS));
  return { host: new RegExp(`^${labels.join('\\.')}$`), port };
}

function stripTrailingDot(host: string): string {
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
