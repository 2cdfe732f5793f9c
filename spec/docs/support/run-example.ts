import { createRequire } from 'node:module';
import path from 'node:path';
import { runInThisContext } from 'node:vm';
import ts from 'typescript';

const lib = path.resolve(__dirname, '..', '..', '..', 'lib');
// Loads as this spec's own imports do (ts-node compiles lib/ on the way).
const load = createRequire(__filename);

/** What a running example printed, and a way to wait for a line, event by event. */
export class ExampleConsole {
  readonly lines: string[] = [];
  private waiting: Array<() => void> = [];

  /** What the example sees as `console`: `log` and `warn` are recorded as text, one line per call. */
  readonly console = {
    log: (...args: unknown[]) => this.record(args),
    warn: (...args: unknown[]) => this.record(args),
    error: (...args: unknown[]) => this.record(args),
  };

  /** Resolves once a line that `matches` has been printed (bounded by the spec's timeout). */
  async printed(matches: (line: string) => boolean): Promise<string> {
    for (;;) {
      const line = this.lines.find(matches);
      if (line !== undefined) return line;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private record(args: unknown[]): void {
    this.lines.push(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  }
}

/**
 * Runs a ```ts block of the docs as a module would run: compiled by TypeScript (types are the docs
 * check's job), its imports of the package resolved to `lib/`, top-level `await` allowed. `replace`
 * swaps strings first: the example's hosts and sample tokens for the loopback servers' own, and
 * nothing else. Resolves, once its top-level code has run, to the values of `names` (its top-level
 * bindings the spec goes on to use).
 */
export async function runExample(
  code: string,
  options: { replace: ReadonlyArray<readonly [string, string]>; names: readonly string[]; console: ExampleConsole },
): Promise<Record<string, unknown>> {
  let source = code;
  for (const [from, to] of options.replace) {
    if (!source.includes(from)) throw new Error(`the example no longer contains ${from}`);
    source = source.split(from).join(to);
  }
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  const body = `${outputText}\nreturn { ${options.names.join(', ')} };`;
  const run = runInThisContext(`(async function (exports, require, console) {\n${body}\n})`) as (
    exports: object,
    require: (id: string) => unknown,
    console: ExampleConsole['console'],
  ) => Promise<Record<string, unknown>>;
  return run({}, requireForExamples, options.console.console);
}

// The package's entries as the docs import them, from the source (as the docs check compiles them).
function requireForExamples(id: string): unknown {
  if (id === 'rxjs-auth-http') return load(lib);
  if (id.startsWith('rxjs-auth-http/')) return load(path.join(lib, id.slice('rxjs-auth-http/'.length)));
  return load(id);
}
