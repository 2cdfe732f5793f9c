import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../support/free-port';
import type { RedisTarget } from './redis-clients';

/** How to run one server: extra arguments (a Cluster node, a replica), or a Sentinel's config. */
export interface RedisServerKind {
  /** `redis-server` (the default) or `redis-sentinel`, as Debian installs them. */
  readonly binary?: 'redis-server' | 'redis-sentinel';
  /** Arguments after the defaults; or, for a Sentinel, writes its config into `dir` and names it. */
  readonly args?: (dir: string, port: number) => string[];
}

/**
 * A real `redis-server` (or `redis-sentinel`) on a free loopback port, with persistence off, owned
 * by one spec file. It fails loudly when the binary is missing: the Redis specs are never skipped.
 */
export class RedisServer {
  private process: ChildProcess | null = null;
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'rxjs-auth-http-redis-'));

  private constructor(
    readonly port: number,
    private readonly kind: RedisServerKind,
  ) {}

  /**
   * Runs `starts` together; if one fails, closes those that started (and `others`) before failing,
   * so that a set-up that breaks halfway leaves no server behind.
   */
  static async startAll(
    starts: ReadonlyArray<() => Promise<RedisServer>>,
    others: readonly RedisServer[] = [],
  ): Promise<RedisServer[]> {
    const settled = await Promise.allSettled(starts.map((start) => start()));
    const started = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const failed = settled.find((result) => result.status === 'rejected');
    if (!failed) return started;
    await Promise.all([...others, ...started].map((server) => server.close()));
    throw failed.reason;
  }

  /** Starts a server on `port`, or on a free one. */
  static async start(kind: RedisServerKind = {}, port?: number): Promise<RedisServer> {
    const server = new RedisServer(port ?? (await freePort()), kind);
    await server.launch();
    return server;
  }

  /** Whether the process runs (not killed, stopped or closed). */
  get alive(): boolean {
    return this.process !== null && this.process.exitCode === null;
  }

  /** Where a client connects to this server. */
  get target(): RedisTarget {
    return { shape: 'server', url: this.url };
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Stops the server, keeping its data (SHUTDOWN SAVE writes one snapshot), as a maintenance restart would. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await command(this.port, ['SHUTDOWN', 'SAVE']).catch(() => child.kill('SIGKILL'));
    await exited;
    this.process = null;
  }

  /** Starts the server again on the same port, with the data it had. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** Kills the server (`kill -9`), as a crash would: what it had not replicated is gone. */
  async kill(): Promise<void> {
    const child = this.process;
    this.process = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  /** Starts a killed server again on its port, with its directory (a Cluster node keeps its identity). */
  async relaunch(): Promise<void> {
    await this.launch();
  }

  /** Sends one command on a connection of its own (RESP by hand: the specs test the clients, not with them). */
  command(args: string[]): Promise<string> {
    return command(this.port, args);
  }

  async close(): Promise<void> {
    const child = this.process;
    this.process = null;
    if (child && child.exitCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private launch(): Promise<void> {
    const binary = this.kind.binary ?? 'redis-server';
    const extra = this.kind.args?.(this.dir, this.port) ?? [];
    // No periodic snapshots, no append-only file; `dir` only receives the snapshot of a SHUTDOWN SAVE.
    const serverArgs = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      this.dir,
      ...extra,
    ];
    // A Sentinel reads (and rewrites) its config file: everything goes in there.
    const args = binary === 'redis-sentinel' ? extra : serverArgs;
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.process = child;
    return new Promise((resolve, reject) => {
      let output = '';
      const fail = (why: string) =>
        reject(
          new Error(`${binary} did not start (${why}); install it with: sudo apt-get install -y ${binary}\n${output}`),
        );
      child.once('error', (error) => fail(error.message));
      child.once('exit', (code) => fail(`exit code ${code}`));
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (/Ready to accept connections|Sentinel ID is/.test(output)) resolve();
      });
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    });
  }
}

function command(port: number, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.endsWith('\r\n')) {
        socket.end();
        resolve(reply.trim());
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(reply.trim()));
    socket.write(`*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`);
  });
}
