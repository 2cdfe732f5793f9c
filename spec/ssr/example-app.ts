import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
/** The `ng new --ssr` app this suite builds and serves. */
export const exampleDir = path.join(root, 'examples', 'angular-ssr');

/** Runs a command to completion; fails with its output when it exits non-zero. */
export async function run(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<string> {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited with ${code}:\n${output}`);
  return output;
}

let installed: Promise<void> | undefined;

/**
 * Builds the library, packs it as npm would publish it, and installs the tarball into the example
 * (after `npm ci` from the example's own lock file, on a fresh clone or in CI). Once per run.
 */
export function installExample(): Promise<void> {
  installed ??= install();
  return installed;
}

/** Installs the example (see {@link installExample}) and builds it with `ng build`. */
export async function buildExample(): Promise<void> {
  await installExample();
  // The CLI's build cache keys the library by its version, which every tarball shares.
  rmSync(path.join(exampleDir, '.angular', 'cache'), { recursive: true, force: true });
  await run('npx', ['ng', 'build'], exampleDir, { NG_CLI_ANALYTICS: 'false' });
}

async function install(): Promise<void> {
  const packDir = mkdtempSync(path.join(tmpdir(), 'rxjs-auth-http-pack-'));
  // `npm pack` builds first (the prepack script) and prints the build's lines before its JSON.
  const output = await run('npm', ['pack', '--json', '--pack-destination', packDir], root);
  const packed = JSON.parse(output.slice(output.indexOf('[\n'))) as Array<{ filename: string }>;
  const tarball = path.join(packDir, packed[0]?.filename ?? 'missing');
  if (process.env['CI'] || !existsSync(path.join(exampleDir, 'node_modules', '.package-lock.json'))) {
    await run('npm', ['ci', '--no-audit', '--no-fund'], exampleDir);
  }
  await run('npm', ['install', '--no-save', '--no-audit', '--no-fund', tarball], exampleDir);
}

/** The built app's Node server (`npm run serve:ssr`), on a free port. */
export class SsrServer {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  /** What the server printed so far: its logs, and any error a render logged. */
  get log(): string {
    return this.output;
  }

  static async start(env: Readonly<Record<string, string>>): Promise<SsrServer> {
    const server = path.join(exampleDir, 'dist', 'angular-ssr', 'server', 'server.mjs');
    const child = spawn(process.execPath, [server], {
      cwd: exampleDir,
      env: { ...process.env, PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        const listening = /listening on (http:\/\/\S+)/.exec(output);
        if (listening?.[1]) resolve(listening[1]);
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('error', reject);
      child.once('exit', (code) =>
        reject(new Error(`the SSR server exited with ${code} before listening:\n${output}`)),
      );
    });
    const started = new SsrServer(child, url);
    started.output = output;
    const keep = (chunk: Buffer): void => void (started.output += chunk.toString());
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    return started;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill();
    await exited;
  }
}
