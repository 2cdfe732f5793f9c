import { execFileSync } from 'node:child_process';
import path from 'node:path';

// What users get: the built entry (npm run build, which test:firebase runs first), loaded by name
// from the repository root, where `firebase` is not installed: an app without Firebase can load it.
describe('the built rxjs-auth-http/firebase entry', () => {
  const root = path.resolve(__dirname, '../..');
  const run = (code: string) => execFileSync(process.execPath, ['-e', code], { cwd: root, encoding: 'utf8' }).trim();
  const probe = `
    let missing = false;
    try { require.resolve('firebase/auth'); } catch { missing = true; }
    const entry = ENTRY;
    let error = '';
    try { entry.fromFirebaseAuth({}); } catch (e) { error = e.constructor.name; }
    console.log(JSON.stringify({ missing, exports: Object.keys(entry).sort(), error }));`;
  const expected = { missing: true, exports: ['fromFirebaseAuth'], error: 'TypeError' };

  it('loads as CommonJS without the firebase package, and refuses a non-Auth with a TypeError', () => {
    const answer: unknown = JSON.parse(run(probe.replace('ENTRY', "require('rxjs-auth-http/firebase')")));
    expect(answer).toEqual(expected);
  });

  it('loads as an ES module without the firebase package, and refuses a non-Auth with a TypeError', () => {
    const esm = `(async () => { ${probe.replace('ENTRY', "await import('rxjs-auth-http/firebase')")} })()`;
    const answer: unknown = JSON.parse(run(esm));
    expect(answer).toEqual(expected);
  });
});
