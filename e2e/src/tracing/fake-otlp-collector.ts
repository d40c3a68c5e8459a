import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';

/** A span as an OTLP/HTTP JSON export carries it (ids in hex), with the instance that sent it. */
export interface ReceivedSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  instance: string;
  attributes: Record<string, unknown>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpExport {
  resourceSpans?: {
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: { spans?: { name: string; traceId: string; spanId: string; parentSpanId?: string; attributes?: OtlpAttribute[] }[] }[];
  }[];
}

function attributesOf(list: readonly OtlpAttribute[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of list ?? []) out[key] = value.stringValue ?? value.intValue ?? value.boolValue ?? value.doubleValue;
  return out;
}

/**
 * The smallest OTLP/HTTP traces receiver: POST /v1/traces with a JSON body
 * (what @opentelemetry/exporter-trace-otlp-http sends), answered 200 `{}`.
 */
export class FakeOtlpCollector {
  readonly spans: ReceivedSpan[] = [];
  /** Requests it could not read (a wrong path or body): the test expects none. */
  readonly refused: string[] = [];
  private readonly server = http.createServer((req, res) => this.receive(req, res));

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private receive(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        if (req.method !== 'POST' || req.url !== '/v1/traces') throw new Error(`${req.method} ${req.url}`);
        const body = Buffer.concat(chunks);
        const text = (req.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(body) : body).toString('utf8');
        this.collect(JSON.parse(text) as OtlpExport);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } catch (err) {
        this.refused.push(String(err));
        res.writeHead(400).end();
      }
    });
  }

  private collect(exported: OtlpExport): void {
    for (const resourceSpans of exported.resourceSpans ?? []) {
      const instance = String(attributesOf(resourceSpans.resource?.attributes)['service.instance.id'] ?? '');
      for (const scope of resourceSpans.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          this.spans.push({
            name: span.name,
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId ?? '',
            instance,
            attributes: attributesOf(span.attributes),
          });
        }
      }
    }
  }
}
