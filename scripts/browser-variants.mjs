// An esbuild plugin for browser builds: wherever lib/ imports `./x` and `x.browser.ts` sits next
// to `x.ts`, the browser file is bundled instead. It keeps Node-only code (xhr2 and our fixes to
// it) out of what browsers download, without a runtime check that bundlers cannot see through.
import { existsSync } from 'node:fs';
import path from 'node:path';

const lib = path.resolve('lib') + path.sep;

export const browserVariants = {
  name: 'browser-variants',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (!args.importer.startsWith(lib)) return undefined;
      const target = path.resolve(args.resolveDir, args.path).replace(/\.ts$/, '');
      const variant = `${target}.browser.ts`;
      return existsSync(variant) ? { path: variant } : undefined;
    });
  },
};
