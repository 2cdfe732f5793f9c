// Starting and talking to the bench's child processes. Each child is a bundle made here with
// esbuild from bench/*.ts: no TypeScript compiler in the measured processes (it would add its own
// heap and startup time), and lib/ bundled the way the published package bundles it.
import { build } from 'esbuild';
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type {
  CellTask,
  ClientMeasurement,
  ClientMessage,
  ServerCommand,
  ServerMeasurement,
  ServerReply,
} from './bench-plan';

const root = path.resolve(__dirname, '..');
// Under node_modules, so the bundles find rxjs, axios and xhr2 where the project has them.
const outdir = path.join(root, 'node_modules', '.cache', 'rxjs-auth-http-bench');

export type ChildEntry = 'server-process' | 'client-process' | 'micro-process';

/** Bundles the child entries; packages stay external and load from node_modules. */
export async function buildChildren(): Promise<Record<ChildEntry, string>> {
  const entries: ChildEntry[] = ['server-process', 'client-process', 'micro-process'];
  await build({
    entryPoints: Object.fromEntries(entries.map((entry) => [entry, path.join(__dirname, `${entry}.ts`)])),
    outdir,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'cjs',
    target: 'es2022', // as scripts/build.mjs builds the package
    logLevel: 'warning',
    sourcemap: true, // read by bench/profile.ts; Node does not load it unless asked
  });
  return Object.fromEntries(entries.map((entry) => [entry, path.join(outdir, `${entry}.cjs`)])) as Record<
    ChildEntry,
    string
  >;
}

/** The server process, driven by request/reply over IPC. */
export class ServerProcess {
  private nextId = 1;
  private readonly pending = new Map<number, (measurement: ServerMeasurement | undefined) => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.on('message', (reply: ServerReply) => {
      if (reply.type !== 'done') return;
      this.pending.get(reply.id)?.(reply.measurement);
      this.pending.delete(reply.id);
    });
  }

  static start(bundle: string): Promise<ServerProcess> {
    const child = fork(bundle, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
    return new Promise((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the server process exited (${code}) before it listened`)));
      child.on('message', (reply: ServerReply) => {
        if (reply.type === 'listening') resolve(new ServerProcess(child, reply.url));
      });
    });
  }

  begin(expiries: number, periodMs: number, tokenDelayMs: number): Promise<void> {
    return this.call({ type: 'begin', expiries, periodMs, tokenDelayMs }).then(() => undefined);
  }

  stopExpiring(): Promise<void> {
    return this.call({ type: 'stop-expiring' }).then(() => undefined);
  }

  async end(): Promise<ServerMeasurement> {
    const measurement = await this.call({ type: 'end' });
    if (!measurement) throw new Error('the server sent no measurement');
    return measurement;
  }

  stop(): void {
    this.child.disconnect();
  }

  private call(command: DistributiveOmit<ServerCommand, 'id'>): Promise<ServerMeasurement | undefined> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.child.send({ ...command, id });
    });
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Hooks the orchestrator runs at the client's steps: start the server's window, close it. */
export interface CellHooks {
  onWarm(): Promise<void>;
  onWindowClosed(): Promise<void>;
}

/** Runs one cell in a fresh client process; rejects if the process fails or overstays `limitMs`. */
export function runClient(
  bundle: string,
  task: CellTask,
  hooks: CellHooks,
  limitMs: number,
): Promise<ClientMeasurement> {
  // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of every client process there (node --cpu-prof).
  const profileDir = process.env['BENCH_CPU_PROF'];
  const execArgv = profileDir
    ? [
        '--cpu-prof',
        '--cpu-prof-dir',
        profileDir,
        '--cpu-prof-name',
        `${task.scenario}-${task.variant}-c${task.concurrency}-${Date.now()}.cpuprofile`,
      ]
    : [];
  const child = fork(bundle, [JSON.stringify(task)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
  const what = `${task.variant} at concurrency ${task.concurrency}`;
  return settleOnExit<ClientMeasurement, ClientMessage>(child, what, limitMs, (message, fail) => {
    switch (message.type) {
      case 'warm':
        hooks.onWarm().then(() => child.send({ type: 'go' }), fail);
        return undefined;
      case 'window-closed':
        hooks.onWindowClosed().catch(fail);
        return undefined;
      case 'result':
        return numbersAgain(message.measurement);
      case 'error':
        fail(new Error(`${what}: ${message.message}`));
        return undefined;
    }
  });
}

// JSON over IPC sends NaN (the p99 of a cell that completed nothing) as null; every reader of a
// measurement expects numbers, so nulls become NaN here, where the measurement arrives.
function numbersAgain(measurement: ClientMeasurement): ClientMeasurement {
  const fields = Object.entries(measurement).map(([key, value]) => [key, value === null ? NaN : value] as const);
  return Object.fromEntries(fields) as unknown as ClientMeasurement;
}

/** Runs a micro-benchmark process (with --expose-gc) and returns the one message it sends. */
export function runMicro<T>(bundle: string, args: readonly string[], limitMs: number): Promise<T> {
  const child = fork(bundle, [...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--expose-gc'] });
  return settleOnExit<T, T>(child, `micro-benchmark ${args[0]}`, limitMs, (message) => message);
}

// Resolves with the result message once the child has also exited, so the next measurement
// never shares the machine with this one. The 'exit' event can overtake the last IPC message,
// so a missing result is only declared a little later.
function settleOnExit<T, M>(
  child: ChildProcess,
  what: string,
  limitMs: number,
  onMessage: (message: M, fail: (error: Error) => void) => T | undefined,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let result: T | undefined;
    let failure: Error | undefined;
    const fail = (error: Error) => {
      failure ??= error;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => fail(new Error(`${what} overstayed ${limitMs} ms`)), limitMs);
    child.on('message', (message: M) => {
      const value = onMessage(message, fail);
      if (value !== undefined) result = value;
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const settle = () => {
        if (failure) reject(failure);
        else if (result !== undefined) resolve(result);
        else reject(new Error(`${what} exited (${code ?? signal}) without a result`));
      };
      if (result !== undefined || failure) settle();
      else setTimeout(settle, 200);
    });
  });
}

/**
 * A client process that runs one window per `slice()` call (CellTask.slices), so the orchestrator
 * can alternate two warm clients window by window. Any failure of the process fails the call
 * waiting on it.
 */
export class SlicedClient {
  private waiting: { resolve: (measurement: ClientMeasurement) => void; reject: (error: Error) => void } | null = null;
  private failure: Error | null = null;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly what: string,
    private readonly limitMs: number,
  ) {
    child.on('message', (message: ClientMessage) => {
      if (message.type === 'slice') this.settle(numbersAgain(message.measurement));
      if (message.type === 'error') this.fail(new Error(`${what}: ${message.message}`));
    });
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.fail(new Error(`${what} exited (${code ?? signal})`));
        resolve();
      }),
    );
  }

  /** Starts the process and resolves once it is warm. */
  static start(bundle: string, task: CellTask, limitMs: number): Promise<SlicedClient> {
    const child = fork(bundle, [JSON.stringify(task)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const client = new SlicedClient(child, `${task.variant} in slices at concurrency ${task.concurrency}`, limitMs);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => client.fail(new Error(`${client.what} did not warm up in ${limitMs} ms`)),
        limitMs,
      );
      client.waiting = {
        resolve: () => undefined,
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      child.on('message', (message: ClientMessage) => {
        if (message.type !== 'warm') return;
        clearTimeout(timer);
        client.waiting = null;
        resolve(client);
      });
    });
  }

  /** Runs one window and resolves with what the client measured in it. */
  slice(): Promise<ClientMeasurement> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => this.fail(new Error(`${this.what}: a slice overstayed ${this.limitMs} ms`)),
        this.limitMs,
      );
      this.waiting = {
        resolve: (measurement) => {
          clearTimeout(timer);
          resolve(measurement);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.child.send({ type: 'go' });
    });
  }

  /** Ends the process (it also ends itself after its last slice) and waits for it to exit. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (this.child.connected) this.child.disconnect(); // the client exits when its orchestrator goes
    await this.exited;
  }

  private settle(measurement: ClientMeasurement): void {
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.resolve(measurement);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.reject(this.failure);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}
