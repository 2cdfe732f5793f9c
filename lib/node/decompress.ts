import zlib from 'node:zlib';

/**
 * What the node:http transport asks for unless the caller sets `accept-encoding`: the codings
 * fetch and the mainstream Node clients accept, all decoded by Node's zlib.
 */
export const DEFAULT_ACCEPT_ENCODING = 'gzip, deflate, br';

type Decoder = (bytes: Buffer, done: (error: Error | null, decoded: Buffer) => void) => void;

const DECODERS: ReadonlyMap<string, Decoder> = new Map<string, Decoder>([
  ['gzip', zlib.gunzip],
  ['x-gzip', zlib.gunzip],
  // 'deflate' means zlib-wrapped (RFC 9110), yet some servers send it raw; the header tells them apart.
  ['deflate', (bytes, done) => (hasZlibHeader(bytes) ? zlib.inflate : zlib.inflateRaw)(bytes, done)],
  ['br', zlib.brotliDecompress],
]);

/**
 * Decodes a response body by its `content-encoding`, the last coding applied first; hands it back
 * as it is when it is empty or uses a coding not known here (as fetch does), and fails on bytes
 * that do not decode. Asynchronous: zlib works off the event loop.
 */
export function decompress(
  bytes: Buffer,
  contentEncoding: string | undefined,
  done: (error: Error | null, decoded: Buffer) => void,
): void {
  if (contentEncoding === undefined || bytes.length === 0) {
    done(null, bytes); // most responses: nothing to split or decode
    return;
  }
  const codings = contentEncoding
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity')
    .reverse();
  if (codings.length === 0 || !codings.every((coding) => DECODERS.has(coding))) {
    done(null, bytes);
    return;
  }
  let applied = 0;
  const next = (error: Error | null, decoded: Buffer): void => {
    if (error !== null || applied === codings.length) done(error, decoded);
    else (DECODERS.get(codings[applied++] as string) as Decoder)(decoded, next);
  };
  next(null, bytes);
}

function hasZlibHeader(bytes: Buffer): boolean {
  const cmf = bytes[0] ?? 0;
  const flg = bytes[1] ?? 0;
  return (cmf & 0x0f) === 8 && (cmf * 256 + flg) % 31 === 0;
}
