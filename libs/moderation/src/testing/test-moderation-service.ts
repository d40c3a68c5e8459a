import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BeforeSendRequest } from '@parley/domain';

/** What the service does with one request: answer (status 200 and `body` as JSON unless said), or never answer. */
export type TestModerationAnswer = { status?: number; json?: unknown; raw?: string; headers?: Record<string, string> } | 'hang';

export interface TestModerationCall {
  request: BeforeSendRequest;
  /** The raw body, as signed. */
  body: string;
  signature: string | undefined;
  contentType: string | undefined;
}

/**
 * A moderation service for tests: a real HTTP server on loopback that records
 * each before-send request and answers as told (or holds it open, for timeouts).
 */
export class TestModerationService {
  readonly calls: TestModerationCall[] = [];

  private constructor(
    private readonly server: http.Server,
    private answer: (request: BeforeSendRequest) => TestModerationAnswer,
  ) {}

  static async start(answer: (request: BeforeSendRequest) => TestModerationAnswer = () => ({ json: { action: 'allow' } })): Promise<TestModerationService> {
    const server = http.createServer();
    const service = new TestModerationService(server, answer);
    server.on('request', (req, res) => service.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return service;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/before-send`;
  }

  /** Changes how later requests are answered. */
  answerWith(answer: (request: BeforeSendRequest) => TestModerationAnswer): void {
    this.answer = answer;
  }

  async close(): Promise<void> {
    // Held requests end with their sockets.
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const request = JSON.parse(body) as BeforeSendRequest;
      const signature = req.headers['x-parley-signature'];
      this.calls.push({ request, body, signature: typeof signature === 'string' ? signature : undefined, contentType: req.headers['content-type'] });
      const answer = this.answer(request);
      if (answer === 'hang') return;
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.raw ?? JSON.stringify(answer.json ?? {}));
    });
  }
}
