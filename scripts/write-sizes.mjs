// `npm run size`, after the build: checks every size budget of .size-limit.mjs with size-limit
// (a check over its limit fails with its figure), then checks that README.md (the lines between
// the bundle-size markers) and docs/benchmarks.md (the table between the size-table markers) say
// what the same run measured, and fails naming the stale file if not. A measurement edits no
// tracked file unless asked: `npm run size -- --write` writes the figures there. Only the text
// between the markers is ours.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const SIZE_LIMIT = 'node_modules/.bin/size-limit';
const write = process.argv.includes('--write');
const stale = [];

// size-limit prints each check, its size and its limit, and exits 1 when one is over.
try {
  execFileSync(SIZE_LIMIT, [], { stdio: 'inherit' });
} catch {
  console.error('size: a budget in .size-limit.mjs is exceeded (figures above)');
  process.exit(1);
}

const measure = (env) =>
  JSON.parse(execFileSync(SIZE_LIMIT, ['--json'], { env: { ...process.env, ...env } }).toString());
const gzipped = measure({});
const minified = measure({ SIZE_MINIFIED: '1' });
const rows = gzipped.map((check, i) => ({ name: check.name, gzip: check.size, min: minified[i].size }));
const kB = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;
const row = (name) => {
  const found = rows.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`size: no check named "${name}" in .size-limit.mjs`);
  return found;
};

const client = row('(a) createHttpClient + MemoryTokenStore + oauth2Refresh');
const session = row('(c) createAuthSession + oauth2Refresh');
const angular = row('Angular: provideAuthRefresh + authRefreshInterceptor + oauth2Refresh');
const dpop = row('rxjs-auth-http/dpop: DPoP, with jose (core excluded)');
writeBlock('README.md', 'bundle-size', [
  `What a browser app adds, gzipped (minified), rxjs excluded: \`createHttpClient\` + \`MemoryTokenStore\` +`,
  `\`oauth2Refresh\` ${kB(client.gzip)} (${kB(client.min)}); \`createAuthSession\` (for your own Observable`,
  `transport) + \`oauth2Refresh\` ${kB(session.gzip)} (${kB(session.min)}); the Angular adapter with \`oauth2Refresh\` ${kB(angular.gzip)}`,
  `(${kB(angular.min)}). \`rxjs-auth-http/dpop\` adds ${kB(dpop.gzip)} (${kB(dpop.min)}, with jose), only to apps that`,
  `import it. Measured by \`npm run size\` (size-limit, budgets in CI); every import set in`,
  `[docs/benchmarks.md](https://github.com/rxjs-auth-http/rxjs-auth-http/blob/main/docs/benchmarks.md#browser-bundle-size).`,
]);
writeBlock('docs/benchmarks.md', 'size-table', [
  '| Import set, or app | Minified | Gzipped |',
  '| --- | ---: | ---: |',
  ...rows.map((check) => `| ${check.name} | ${kB(check.min)} | ${kB(check.gzip)} |`),
]);
for (const check of rows) console.log(`${kB(check.min).padStart(9)} ${kB(check.gzip).padStart(8)}  ${check.name}`);
if (stale.length > 0) {
  console.error(
    `size: ${stale.join(' and ')} ${stale.length > 1 ? 'do' : 'does'} not show these figures: npm run size -- --write`,
  );
  process.exit(1);
}

function writeBlock(file, marker, lines) {
  const start = `<!-- ${marker}:start -->`;
  const end = `<!-- ${marker}:end -->`;
  const text = readFileSync(file, 'utf8');
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from === -1 || to < from) {
    console.error(`size: ${file} needs the markers ${start} and ${end}; add them by hand`);
    process.exit(1);
  }
  const next = `${text.slice(0, from)}${start}\n${lines.join('\n')}\n${text.slice(to)}`;
  if (next === text) return;
  if (write) writeFileSync(file, next);
  else stale.push(file);
}
