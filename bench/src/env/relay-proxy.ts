import net from 'node:net';

/**
 * A TCP proxy between the IM nodes and the gateway's gRPC relay port that
 * counts relay frames without touching either side: it follows the HTTP/2
 * DATA frames of each stream, splits them into gRPC length-prefixed messages
 * and reads the first protobuf field of each (see proto/relay.proto).
 */
export interface RelayCounts {
  /** node id -> event -> Publish frames sent by that node. */
  publish: Record<string, Record<string, number>>;
  /** node id -> event -> Deliver frames received by that node. */
  deliver: Record<string, Record<string, number>>;
  /** Interest deltas sent by nodes. */
  deltas: number;
}

export interface RelayProxy {
  port: number;
  counts(): RelayCounts;
  reset(): void;
  close(): Promise<void>;
}

const PREFACE_LENGTH = 24;

export async function startRelayProxy(targetPort: number, listenPort = 0): Promise<RelayProxy> {
  let counts: RelayCounts = { publish: {}, deliver: {}, deltas: 0 };
  const sockets = new Set<net.Socket>();
  const bump = (table: Record<string, Record<string, number>>, node: string, event: string) => {
    const row = (table[node] ??= {});
    row[event] = (row[event] ?? 0) + 1;
  };

  // No Nagle on either leg: the relay's own sockets send small frames at once,
  // and a proxy that held them back for an ACK would add its own latency.
  const server = net.createServer({ noDelay: true }, (client) => {
    const upstream = net.connect({ port: targetPort, host: '127.0.0.1', noDelay: true });
    sockets.add(client);
    sockets.add(upstream);
    let nodeId = '?';
    const fromNode = new GrpcStreamReader(PREFACE_LENGTH, (msg) => {
      const [field, body] = firstField(msg);
      if (field === 1) nodeId = readStringField(body, 1) ?? '?';
      else if (field === 2) counts.deltas++;
      else if (field === 3) bump(counts.publish, nodeId, readStringField(body, 2) ?? '?');
      // PublishBatch: each Publish it holds counts as one frame (the same as that many publish frames).
      else if (field === 6) forEachMessageField(body, 1, (publish) => bump(counts.publish, nodeId, readStringField(publish, 2) ?? '?'));
    });
    const fromGateway = new GrpcStreamReader(0, (msg) => {
      const [field, body] = firstField(msg);
      if (field === 2) bump(counts.deliver, nodeId, readStringField(body, 2) ?? '?');
      // DeliverBatch: likewise, one count per Deliver.
      else if (field === 10) forEachMessageField(body, 1, (deliver) => bump(counts.deliver, nodeId, readStringField(deliver, 2) ?? '?'));
    });
    client.on('data', (chunk: Buffer) => {
      fromNode.push(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      fromGateway.push(chunk);
      client.write(chunk);
    });
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', closeBoth);
    upstream.on('close', closeBoth);
    client.on('error', closeBoth);
    upstream.on('error', closeBoth);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    counts: () => structuredClone(counts),
    reset: () => {
      counts = { publish: {}, deliver: {}, deltas: 0 };
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Reassembles gRPC messages from one direction of an HTTP/2 connection. */
class GrpcStreamReader {
  private pending: Buffer = Buffer.alloc(0);
  private readonly streams = new Map<number, Buffer>();

  constructor(
    private skip: number,
    private readonly onMessage: (msg: Buffer) => void,
  ) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    if (this.skip > 0) {
      const n = Math.min(this.skip, this.pending.length);
      this.pending = this.pending.subarray(n);
      this.skip -= n;
    }
    while (this.pending.length >= 9) {
      const length = this.pending.readUIntBE(0, 3);
      if (this.pending.length < 9 + length) break;
      const type = this.pending.readUInt8(3);
      const flags = this.pending.readUInt8(4);
      const streamId = this.pending.readUInt32BE(5) & 0x7fffffff;
      let payload = this.pending.subarray(9, 9 + length);
      this.pending = this.pending.subarray(9 + length);
      if (type !== 0) continue; // only DATA frames carry gRPC messages
      // PADDED: the first byte is the pad length (none in an empty, malformed frame).
      if (flags & 0x8) payload = payload.subarray(1, payload.length - (payload[0] ?? 0));
      this.data(streamId, payload);
    }
  }

  private data(streamId: number, payload: Buffer): void {
    const prior = this.streams.get(streamId);
    let buf = prior && prior.length > 0 ? Buffer.concat([prior, payload]) : payload;
    while (buf.length >= 5) {
      const size = buf.readUInt32BE(1);
      if (buf.length < 5 + size) break;
      if (buf[0] === 0) this.onMessage(buf.subarray(5, 5 + size));
      buf = buf.subarray(5 + size);
    }
    this.streams.set(streamId, Buffer.from(buf));
  }
}

function readVarint(buf: Buffer, offset: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  let pos = offset;
  for (;;) {
    const byte = buf[pos++];
    // Cut short by the end of the message: take what was read. The proxy only counts; it must not break the stream.
    if (byte === undefined) return [value, pos];
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, pos];
    shift += 7;
  }
}

/** The first field of a protobuf message, when it is length-delimited (a oneof of messages). */
function firstField(msg: Buffer): [field: number, body: Buffer] {
  if (msg.length === 0) return [0, msg];
  const [key, pos] = readVarint(msg, 0);
  if ((key & 7) !== 2) return [key >>> 3, Buffer.alloc(0)];
  const [len, start] = readVarint(msg, pos);
  return [key >>> 3, msg.subarray(start, start + len)];
}

/**
 * Calls `fn` with the value of every length-delimited occurrence of `field`
 * (a repeated message or string), in order; stops at a wire type it cannot skip.
 */
function forEachMessageField(msg: Buffer, field: number, fn: (value: Buffer) => void): void {
  let pos = 0;
  while (pos < msg.length) {
    const [key, afterKey] = readVarint(msg, pos);
    const wire = key & 7;
    if (wire === 2) {
      const [len, start] = readVarint(msg, afterKey);
      if (key >>> 3 === field) fn(msg.subarray(start, start + len));
      pos = start + len;
    } else if (wire === 0) {
      pos = readVarint(msg, afterKey)[1];
    } else if (wire === 1) {
      pos = afterKey + 8;
    } else if (wire === 5) {
      pos = afterKey + 4;
    } else {
      return;
    }
  }
}

/** A length-delimited field's value as UTF-8 (its first occurrence). */
function readStringField(msg: Buffer, field: number): string | undefined {
  let found: string | undefined;
  forEachMessageField(msg, field, (value) => {
    found ??= value.toString('utf8');
  });
  return found;
}
