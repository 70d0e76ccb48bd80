/** A promise-based CRI RuntimeService client over a unix socket, for the benchmark. */
import * as grpc from '@grpc/grpc-js';
import { loadCriServices } from '../../runtime/cri/proto.js';
import type { RuntimeServiceMethods } from '../../runtime/cri/types.js';

type Req<K extends keyof RuntimeServiceMethods> = Partial<RuntimeServiceMethods[K][0]>;
type Res<K extends keyof RuntimeServiceMethods> = RuntimeServiceMethods[K][1];
type Unary = (req: unknown, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: unknown) => void) => void;

export class BenchCriClient {
  private readonly client: grpc.Client;

  constructor(socket: string) {
    this.client = new (loadCriServices().RuntimeService)(`unix://${socket}`, grpc.credentials.createInsecure());
  }

  call<K extends keyof RuntimeServiceMethods>(method: K, req: Req<K>): Promise<Res<K>> {
    const fn = (this.client as unknown as Record<string, Unary>)[method]!;
    return new Promise((resolve, reject) => {
      fn.call(this.client, req, { deadline: Date.now() + 60_000 }, (err, res) => (err ? reject(err) : resolve(res as Res<K>)));
    });
  }

  close(): void {
    this.client.close();
  }
}
