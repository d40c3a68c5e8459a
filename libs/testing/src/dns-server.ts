import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv4 } from 'node:net';
import * as dnsPacket from 'dns-packet';

export interface DnsServerOptions {
  /** Address to listen on (UDP), e.g. '127.0.0.1' or a namespace's own address. */
  host: string;
  /** UDP port; 0 (the default) asks the kernel for a free one. */
  port?: number;
}

/**
 * A tiny authoritative DNS server for tests: answers A queries for the names
 * it was given (case-insensitive, any trailing dot ignored) and NXDOMAIN for
 * every other name, so a resolver such as nginx's can be pointed at it and
 * names can come and go while the resolver runs.
 */
export interface DnsServer {
  readonly host: string;
  readonly port: number;
  /** Answers `name` with the IPv4 address(es) from now on (replaces any earlier ones); several make one A record each. */
  set(name: string, address: string | readonly string[]): void;
  /** `name` is unknown from now on (NXDOMAIN). */
  delete(name: string): void;
  /** Every name asked so far (any type, answered or not), normalised, in order of arrival. */
  queries(): readonly string[];
  close(): Promise<void>;
}

/** Answers stay short-lived so a test that moves a name is seen soon. */
const ANSWER_TTL_SEC = 1;
/** The RCODE lives in the header flags' low 4 bits; dns-packet encodes it only from there. */
const RCODE_NXDOMAIN = 3;

const normalise = (name: string): string => name.toLowerCase().replace(/\.$/, '');

export async function startDnsServer(options: DnsServerOptions): Promise<DnsServer> {
  const records = new Map<string, readonly string[]>();
  const asked: string[] = [];
  const socket = createSocket(isIPv4(options.host) ? 'udp4' : 'udp6');
  socket.on('message', (message, remote) => {
    const name = answer(socket, records, message, remote);
    if (name !== undefined) asked.push(name);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(options.port ?? 0, options.host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  // A malformed datagram or a send to a vanished client must not crash the test process.
  socket.on('error', () => undefined);
  return {
    host: options.host,
    port: socket.address().port,
    set(name, address) {
      const addresses = typeof address === 'string' ? [address] : [...address];
      const bad = addresses.find((a) => !isIPv4(a));
      if (bad !== undefined || addresses.length === 0) throw new Error(`startDnsServer: ${bad ?? 'no address'} is not an IPv4 address`);
      records.set(normalise(name), addresses);
    },
    delete(name) {
      records.delete(normalise(name));
    },
    queries: () => [...asked],
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** Answers one datagram; returns the name asked (normalised), or undefined for one that was no question. */
function answer(socket: Socket, records: ReadonlyMap<string, readonly string[]>, message: Buffer, remote: RemoteInfo): string | undefined {
  let query: dnsPacket.Packet;
  try {
    query = dnsPacket.decode(message);
  } catch {
    return undefined; // not DNS: nothing sensible to answer
  }
  const question = query.questions?.[0];
  if (!question) return undefined;
  const addresses = records.get(normalise(question.name));
  const answers: dnsPacket.Answer[] =
    addresses && question.type === 'A'
      ? addresses.map((data) => ({ type: 'A', name: question.name, ttl: ANSWER_TTL_SEC, data }))
      : [];
  // A known name asked for another type (nginx also asks AAAA) gets an empty
  // NOERROR answer; an unknown name gets NXDOMAIN.
  const response = dnsPacket.encode({
    id: query.id,
    type: 'response',
    flags: dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_DESIRED | (addresses ? 0 : RCODE_NXDOMAIN),
    questions: [question],
    answers,
  });
  socket.send(response, remote.port, remote.address);
  return normalise(question.name);
}
