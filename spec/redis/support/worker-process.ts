import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { buildSync } from 'esbuild';
import type { FromWorker, ToWorker } from './worker-protocol';

type Init = Omit<Extract<ToWorker, { type: 'init' }>, 'type'>;
type Reply<K extends FromWorker['type']> = Extract<FromWorker, { type: K }>;

/** A forked worker process (worker.ts), and the replies it sends, awaited by type. */
export class WorkerProcess {
  private readonly inbox: FromWorker[] = [];
  private readonly waiting = new Set<() => void>();
  private exited = false;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: FromWorker) => {
      this.inbox.push(message);
      this.waiting.forEach((wake) => wake());
    });
    child.on('exit', () => {
      this.exited = true;
      this.waiting.forEach((wake) => wake());
    });
  }

  static async start(init: Init): Promise<WorkerProcess> {
    const child = fork(workerBundle(), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const worker = new WorkerProcess(child);
    worker.send({ type: 'init', ...init });
    await worker.next('ready');
    return worker;
  }

  get pid(): number {
    return this.child.pid!;
  }

  send(message: ToWorker): void {
    this.child.send(message);
  }

  /** The next reply of this type (one already received counts); fails if the process exits first. */
  async next<K extends FromWorker['type']>(type: K): Promise<Reply<K>> {
    for (;;) {
      const index = this.inbox.findIndex((message) => message.type === type);
      if (index >= 0) return this.inbox.splice(index, 1)[0] as Reply<K>;
      if (this.exited) throw new Error(`worker ${this.pid} exited before sending ${type}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiting.delete(wake);
          resolve();
        };
        this.waiting.add(wake);
      });
    }
  }

  burst(count: number): Promise<Reply<'burst-done'>> {
    this.send({ type: 'burst', count });
    return this.next('burst-done');
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Closes the worker's Redis connections and waits for it to exit; kills it if it is stopped or gone. */
  async close(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    if (this.child.connected) this.send({ type: 'close' });
    else this.child.kill('SIGKILL');
    await exited;
  }
}

// Eight processes compiling the library through ts-node at once take a minute on a loaded
// machine: the worker is bundled once per run instead (packages stay external).
let bundle: string | null = null;
function workerBundle(): string {
  if (bundle === null) {
    const outfile = path.join(__dirname, '../../../.tmp/redis-worker.cjs');
    buildSync({
      entryPoints: [path.join(__dirname, 'worker.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      packages: 'external',
      logLevel: 'warning',
    });
    bundle = outfile;
  }
  return bundle;
}
