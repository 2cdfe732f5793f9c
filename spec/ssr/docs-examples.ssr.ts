import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exampleDir, installExample, run } from './example-app';

const BUILD_TIMEOUT = 15 * 60_000;
const root = path.resolve(__dirname, '../..');
const BOOTSTRAP = 'bootstrapApplication(AppComponent, appConfig).catch((error: unknown) => console.error(error));';

interface Block {
  readonly line: number;
  readonly code: string;
}

/** The ```ts blocks of a markdown file, with the line each starts on. */
function tsBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```ts') continue;
    const end = lines.indexOf('```', i + 1);
    blocks.push({ line: i + 1, code: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return blocks;
}

/**
 * An `ng new --ssr` workspace (the example's configuration and installed packages) whose app is
 * the examples of docs/angular.md: the complete app, bootstrapped on both sides and rendered per
 * request, and every other example compiled with it. The TestBed example is a unit test, not app
 * code, and is left out.
 */
function docsWorkspace(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'rxjs-auth-http-docs-ssr-'));
  mkdirSync(path.join(dir, 'src', 'app'), { recursive: true });
  mkdirSync(path.join(dir, 'public'));
  for (const file of [
    'angular.json',
    'package.json',
    'tsconfig.json',
    'tsconfig.app.json',
    'src/index.html',
    'src/server.ts',
    'src/app/render-context.ts',
  ]) {
    copyFileSync(path.join(exampleDir, file), path.join(dir, file));
  }
  symlinkSync(path.join(exampleDir, 'node_modules'), path.join(dir, 'node_modules'), 'dir');

  const blocks = tsBlocks(readFileSync(path.join(root, 'docs', 'angular.md'), 'utf8')).filter(
    (block) => !block.code.includes('@angular/core/testing'),
  );
  const modules = blocks.map((block) => `doc-line-${block.line}`);
  const complete = blocks.findIndex((block) => block.code.includes(BOOTSTRAP));
  if (complete < 0) throw new Error('docs/angular.md has no complete app that calls bootstrapApplication');
  // The complete app says: split it into files "as usual"; its bootstrap call is what goes to main.ts.
  blocks.forEach((block, i) =>
    writeFileSync(path.join(dir, 'src', 'app', `${modules[i]}.ts`), block.code.replace(BOOTSTRAP, '')),
  );
  const imports = modules.map((name) => `import './app/${name}';`).join('\n');
  const app = `./app/${modules[complete]}`;
  writeFileSync(
    path.join(dir, 'src', 'main.ts'),
    `${imports}\nimport { bootstrapApplication } from '@angular/platform-browser';\nimport { AppComponent, appConfig } from '${app}';\n\n${BOOTSTRAP}\n`,
  );
  writeFileSync(
    path.join(dir, 'src', 'main.server.ts'),
    `${imports}
import { mergeApplicationConfig } from '@angular/core';
import { bootstrapApplication, type BootstrapContext } from '@angular/platform-browser';
import { provideServerRendering, RenderMode, withRoutes } from '@angular/ssr';
import { AppComponent, appConfig } from '${app}';

const config = mergeApplicationConfig(appConfig, {
  providers: [provideServerRendering(withRoutes([{ path: '**', renderMode: RenderMode.Server }]))],
});
export default (context: BootstrapContext) => bootstrapApplication(AppComponent, config, context);
`,
  );
  return dir;
}

describe("docs/angular.md's examples in an `ng new --ssr` project", () => {
  beforeAll(installExample, BUILD_TIMEOUT);

  it(
    'build with `ng build`, route extraction included (which runs the app on the server)',
    async () => {
      const dir = docsWorkspace();
      try {
        const output = await run('npx', ['ng', 'build'], dir, { NG_CLI_ANALYTICS: 'false' });
        expect(output).toContain('Application bundle generation complete');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    BUILD_TIMEOUT,
  );
});
