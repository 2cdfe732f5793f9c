import { execFile } from 'node:child_process';
import path from 'node:path';
import { DPoP } from '../../lib/dpop';

// DPoP needs WebCrypto as globalThis.crypto; Node 18 has none unless started with a flag. Node 20
// can run without it too (--no-experimental-global-webcrypto), so this runs the real thing in a
// child process rather than hiding the global here.
describe('DPoP where WebCrypto is missing (Node 18, an insecure page)', () => {
  it('fails at `new DPoP()` with a DPoPUnsupportedError naming the requirement, not a ReferenceError later', async () => {
    const script = path.join(__dirname, 'support', 'new-dpop-without-webcrypto.ts');
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['--no-experimental-global-webcrypto', '--require', 'ts-node/register', script],
        { cwd: path.join(__dirname, '..', '..') },
        (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)),
      ),
    );

    expect(JSON.parse(stdout)).toEqual({
      cryptoGlobal: 'undefined',
      threw: true,
      name: 'DPoPUnsupportedError',
      message: 'DPoP needs WebCrypto: crypto is missing (use Node 20+, or a browser page on https: or localhost)',
      typed: true,
    });
  });

  it('is made as usual where WebCrypto is present', () => {
    expect(typeof globalThis.crypto.subtle.sign).toBe('function');
    expect(() => new DPoP()).not.toThrow();
  });
});
