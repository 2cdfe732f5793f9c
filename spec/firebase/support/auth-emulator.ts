import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../support/free-port';

/** The demo project every spec signs in to: a `demo-` id keeps the emulator away from any real project. */
export const PROJECT_ID = 'demo-rxjs-auth-http';

// The path the SDK refreshes an ID token at; under the emulator it is a path on the emulator's host.
const TOKEN_PATH = '/securetoken.googleapis.com/v1/token';

/** A token request the proxy holds back until the spec releases it. */
export interface HeldTokenRequest {
  /** Resolves when the SDK's token request has reached the proxy (and is being held). */
  readonly arrived: Promise<void>;
  /** Lets the held request go on to the emulator. */
  release(): void;
  /** Drops the held request's connection, as a network failure would. */
  drop(): void;
}

/**
 * The Firebase Auth emulator from firebase-tools, on free loopback ports, behind a loopback proxy
 * that counts the SDK's calls to the token endpoint (and can hold one back). The SDK connects to
 * the proxy (`url`); firebase-admin to the emulator itself (`FIREBASE_AUTH_EMULATOR_HOST`). No Java,
 * no network: firebase-tools' auth emulator is plain Node, and CI=true keeps the CLI offline.
 */
export class AuthEmulator {
  /** POSTs to the token endpoint since the last {@link resetCounts}. */
  tokenHits = 0;
  private hold: { arrived: () => void; released: Promise<'send' | 'drop'> } | null = null;

  private readonly proxy = http.createServer((req, res) => this.forward(req, res));

  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    /** Where firebase-admin reaches the emulator itself. */
    readonly emulatorHost: string,
  ) {}

  /** Where the SDK reaches the emulator: the counting proxy. */
  get url(): string {
    return `http://127.0.0.1:${(this.proxy.address() as net.AddressInfo).port}`;
  }

  static async start(): Promise<AuthEmulator> {
    const [authPort, hubPort, loggingPort] = [await freePort(), await freePort(), await freePort()];
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rxjs-auth-http-firebase-'));
    const emulators = {
      auth: { host: '127.0.0.1', port: authPort },
      hub: { host: '127.0.0.1', port: hubPort },
      logging: { host: '127.0.0.1', port: loggingPort },
      ui: { enabled: false },
    };
    writeFileSync(path.join(dir, 'firebase.json'), JSON.stringify({ emulators }));
    const cli = require.resolve('firebase-tools/lib/bin/firebase.js');
    const child = spawn(process.execPath, [cli, 'emulators:start', '--only', 'auth', '--project', PROJECT_ID], {
      cwd: dir,
      // A process group of its own, so that close() ends whatever the CLI started.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        // The CLI fetches a message of the day and checks for updates unless it runs under CI.
        CI: 'true',
        NO_UPDATE_NOTIFIER: '1',
        // Its settings (and any login) live in a folder of this run, never in the user's.
        XDG_CONFIG_HOME: dir,
      },
    });
    // A spec that jasmine times out never reaches afterAll: the emulator goes when this process does.
    const killGroup = () => kill(child);
    process.once('exit', killGroup);
    child.once('exit', () => process.off('exit', killGroup));
    await ready(child);
    const emulator = new AuthEmulator(child, dir, `127.0.0.1:${authPort}`);
    await listen(emulator.proxy);
    return emulator;
  }

  resetCounts(): void {
    this.tokenHits = 0;
  }

  /** Holds the next token request at the proxy until `release()`. */
  holdNextTokenRequest(): HeldTokenRequest {
    let arrived!: () => void;
    let settle!: (how: 'send' | 'drop') => void;
    const arrivedPromise = new Promise<void>((resolve) => (arrived = resolve));
    const released = new Promise<'send' | 'drop'>((resolve) => (settle = resolve));
    this.hold = { arrived, released };
    return { arrived: arrivedPromise, release: () => settle('send'), drop: () => settle('drop') };
  }

  /** Deletes every account (the emulator's own REST call), so each spec starts alone. */
  async clearAccounts(): Promise<void> {
    const response = await fetch(`http://${this.emulatorHost}/emulator/v1/projects/${PROJECT_ID}/accounts`, {
      method: 'DELETE',
    });
    if (!response.ok) throw new Error(`the emulator refused to clear its accounts: ${response.status}`);
  }

  async close(): Promise<void> {
    this.proxy.closeAllConnections();
    await new Promise((resolve) => this.proxy.close(resolve));
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      kill(this.child);
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    const isTokenRequest = req.method === 'POST' && (req.url ?? '').startsWith(TOKEN_PATH);
    if (isTokenRequest) this.tokenHits++;
    const hold = isTokenRequest ? this.hold : null;
    if (hold) {
      this.hold = null;
      hold.arrived();
    }
    const [host, port] = this.emulatorHost.split(':');
    const send = () => {
      const upstream = http.request(
        { host, port: Number(port), method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    };
    if (hold) void hold.released.then((how) => (how === 'send' ? send() : req.socket.destroy()));
    else send();
  }
}

function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const fail = (why: string) => reject(new Error(`the Firebase Auth emulator did not start (${why}):\n${output}`));
    child.once('error', (error) => fail(error.message));
    child.once('exit', (code) => fail(`exit code ${code}`));
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('All emulators ready')) resolve();
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
  });
}

function kill(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function listen(server: http.Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
}
