import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getAuth, type Auth } from 'firebase-admin/auth';
import http from 'node:http';
import type net from 'node:net';
import { PROJECT_ID } from './auth-emulator';

/**
 * An API on loopback that verifies Firebase ID tokens with firebase-admin, as a real backend does
 * (against the emulator: `FIREBASE_AUTH_EMULATOR_HOST` must be set before it starts). It answers
 * `refusal` (401 or 403) to a missing or invalid token, and to a token issued before the cut-off:
 * emulator tokens live an hour, so a cut-off is how a spec makes the client refresh.
 */
let apis = 0;

export class IdTokenApi {
  /** Requests since the last {@link resetCounts}, and how many of them were refused. */
  requests = 0;
  refusals = 0;
  /** Tokens issued before this second (`iat`) are refused. */
  private notBefore = 0;

  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  private readonly admin: App;
  /** firebase-admin's Auth of the API's project: to disable or delete a user, as an admin would. */
  readonly users: Auth;

  private constructor(readonly refusal: 401 | 403) {
    this.admin = initializeApp({ projectId: PROJECT_ID }, `api-${refusal}-${process.pid}-${++apis}`);
    this.users = getAuth(this.admin);
  }

  static async start(refusal: 401 | 403): Promise<IdTokenApi> {
    const api = new IdTokenApi(refusal);
    await new Promise<void>((resolve, reject) => {
      api.server.once('error', reject);
      api.server.listen(0, '127.0.0.1', resolve);
    });
    return api;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  /**
   * Refuses every token issued so far. Resolves once the clock has entered the next second, so a
   * token issued after it (`iat` is in whole seconds) is accepted: this waits on the clock, at most
   * a second, never on a guess.
   */
  async cutOff(): Promise<void> {
    this.notBefore = Math.floor(Date.now() / 1000) + 1;
    const wait = this.notBefore * 1000 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }

  resetCounts(): void {
    this.requests = 0;
    this.refusals = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
    await deleteApp(this.admin);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // A page on another loopback port calls it too: answer CORS, preflights included.
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-allow-headers', 'authorization');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    this.requests++;
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    let uid: string | null = null;
    if (token !== undefined) {
      try {
        const claims = await this.users.verifyIdToken(token);
        if (claims.iat >= this.notBefore) uid = claims.uid;
      } catch {
        uid = null;
      }
    }
    if (uid === null) {
      this.refusals++;
      res.writeHead(this.refusal, { 'content-type': 'application/json' }).end('{"error":"token refused"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ uid }));
  }
}
