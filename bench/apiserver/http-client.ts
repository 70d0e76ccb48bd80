/** A small keep-alive HTTP(S) client for the benchmark: raw node:http(s), no parsing on the hot path. */
import { Agent, request } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** TLS settings for an https:// base URL: the CA to trust and the client certificate to present. */
export interface ClientTls {
  ca: string;
  cert: string;
  key: string;
}

export interface HttpResponse {
  status: number;
  body: Buffer;
}

export class HttpClient {
  readonly agent: Agent;
  private readonly host: string;
  private readonly port: number;

  private readonly send: typeof request;

  constructor(baseUrl: string, maxSockets: number, tls?: ClientTls) {
    const u = new URL(baseUrl);
    this.host = u.hostname;
    this.port = Number(u.port);
    if (u.protocol === 'https:') {
      if (!tls) throw new Error(`${baseUrl}: https needs the CA and a client certificate`);
      this.agent = new HttpsAgent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, ...tls });
      this.send = httpsRequest as unknown as typeof request;
    } else {
      this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
      this.send = request;
    }
  }

  request(method: string, path: string, body?: string | Buffer, contentType = 'application/json'): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { Accept: 'application/json' };
      if (body !== undefined) {
        headers['Content-Type'] = contentType;
        headers['Content-Length'] = Buffer.byteLength(body);
      }
      const req = this.send({ host: this.host, port: this.port, method, path, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Like request, but a non-2xx answer is an error carrying the Status message. */
  async ok(method: string, path: string, body?: string | Buffer, contentType?: string): Promise<HttpResponse> {
    const res = await this.request(method, path, body, contentType);
    if (res.status < 200 || res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`);
    return res;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Runs `count` tasks with at most `concurrency` in flight; returns each task's latency in ms. */
export async function runPool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<number[]> {
  const latencies = new Array<number>(count);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      const t0 = performance.now();
      await task(i);
      latencies[i] = performance.now() - t0;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return latencies;
}
