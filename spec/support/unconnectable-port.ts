import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

/**
 * A loopback port where a TCP connect never completes, for connect timeouts. Deterministic on
 * Linux: a listening socket's accept queue holds backlog + 1 connections, and while it is full the
 * kernel drops new SYNs (the client keeps retransmitting, its connect pending). So a child process
 * listens with backlog 1 and then blocks its event loop, never accepting; two connections fill the
 * queue, each awaited until connected. A child, because this process must keep running.
 */
// Far longer than any spec that uses the port, short enough that no run leaves it behind for long.
const CHILD_LIFE_MS = 5 * 60_000;

export class UnconnectablePort {
  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly fillers: net.Socket[],
  ) {}

  static async open(): Promise<UnconnectablePort> {
    const script = `
      const server = require('node:net').createServer();
      server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
        process.stdout.write(server.address().port + '\\n');
        // Never accept; exit on its own after ${CHILD_LIFE_MS} ms, should this process die unable to kill it.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${CHILD_LIFE_MS});
        process.exit();
      });`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    // A spec jasmine times out never reaches its `finally`: the child goes when this process exits.
    const killChild = () => child.kill();
    process.once('exit', killChild);
    child.once('exit', () => process.off('exit', killChild));
    const port = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.stdout?.once('data', (data: Buffer) => resolve(Number(String(data).trim())));
    });
    const fillers: net.Socket[] = [];
    for (let i = 0; i < 2; i++) {
      const socket = net.connect(port, '127.0.0.1');
      fillers.push(socket);
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    }
    return new UnconnectablePort(port, child, fillers);
  }

  close(): void {
    for (const socket of this.fillers) socket.destroy();
    this.child.kill();
  }
}
