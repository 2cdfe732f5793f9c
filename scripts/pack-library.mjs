// Packs the library as `npm publish` would: `npm pack`, which runs the "prepack" script (the
// build) first. Shared by the packed-tarball check and the example apps, so that both test the
// very file a user installs.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** Packs into `directory` and returns the tarball's path and the files npm put in it. */
export function packLibrary(directory) {
  const output = execFileSync('npm', ['pack', '--json', '--pack-destination', directory], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // npm prints the prepack script's output before the JSON, on the same stream.
  const [packed] = JSON.parse(output.slice(output.indexOf('[\n')));
  return { tarball: path.join(directory, packed.filename), files: packed.files.map((file) => file.path) };
}
