import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP server for a page on its own loopback port (a random free one), so that the page's
 * origin differs from the API's and every call it makes is a real cross-origin (CORS) request.
 */
export class LoopbackPageServer {
  private constructor(private readonly server: http.Server) {}

  static async start(handler: http.RequestListener): Promise<LoopbackPageServer> {
    const server = http.createServer(handler);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return new LoopbackPageServer(server);
  }

  /** `http://127.0.0.1:<port>/` */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
