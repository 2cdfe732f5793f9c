// The public API of every entry, as API Extractor reads it from the built declarations, in one
// committed report per entry (api/<entry>.api.md). `npm run api` writes them; `npm run api:check`
// (in `npm test`) fails when the built API differs from the committed report, so every change to
// the public surface shows up in review as a diff of api/. Run after `npm run build`.
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

const ENTRIES = ['index', 'angular', 'node', 'dpop', 'redis', 'firebase', 'tabs', 'testing', 'testing/angular'];
const local = process.argv.includes('--local');
const root = path.resolve('.');
mkdirSync(path.join(root, 'api'), { recursive: true });
mkdirSync(path.join(root, '.tmp', 'api'), { recursive: true });

let changed = [];
for (const entry of ENTRIES) {
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder: root,
      mainEntryPointFilePath: `<projectFolder>/dist/types/${entry === 'index' ? '' : `${entry}/`}index.d.ts`,
      compiler: { tsconfigFilePath: '<projectFolder>/tsconfig.build.json' },
      apiReport: {
        enabled: true,
        reportFileName: `${entry.replace('/', '-')}.api.md`,
        reportFolder: '<projectFolder>/api/',
        reportTempFolder: '<projectFolder>/.tmp/api/',
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        // The entries import each other by relative path in dist/types; what they share is the core's.
        extractorMessageReporting: {
          'ae-missing-release-tag': { logLevel: 'none' },
          'ae-forgotten-export': { logLevel: 'none' },
          'ae-unresolved-link': { logLevel: 'none' },
        },
        tsdocMessageReporting: { default: { logLevel: 'none' } },
      },
    },
    configObjectFullPath: path.join(root, 'api-extractor.json'),
    packageJsonFullPath: path.join(root, 'package.json'),
  });
  const result = Extractor.invoke(config, { localBuild: local, showVerboseMessages: false, messageCallback: quiet });
  if (result.apiReportChanged) changed.push(entry);
  if (!result.succeeded && !result.apiReportChanged) {
    console.error(`api-report: API Extractor failed on the ${entry} entry (${result.errorCount} errors)`);
    process.exit(1);
  }
}

if (changed.length > 0 && !local) {
  console.error(
    `api-report: the public API of ${changed.join(', ')} changed; run \`npm run api\` and commit api/ ` +
      '(the diff is the change to review).',
  );
  process.exit(1);
}
console.log(`api-report: ${ENTRIES.length} entries ${local ? 'written to' : 'match'} api/`);

// API Extractor prints progress for every entry; only problems are worth a line.
function quiet(message) {
  if (message.logLevel === 'info' || message.logLevel === 'verbose') message.handled = true;
}
