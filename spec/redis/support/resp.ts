import net from 'node:net';

/** A RESP2 reply, as the specs read it: errors become thrown Errors. */
export type RespValue = string | number | null | RespValue[];

/**
 * Sends one command to 127.0.0.1:`port` on a connection of its own and parses the whole reply
 * (RESP by hand: the specs test the client libraries, not with them). Fails after `timeoutMs`.
 */
export function query(port: number, args: readonly string[], timeoutMs = 5_000): Promise<RespValue> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let buffer = Buffer.alloc(0);
    const timer = setTimeout(() => fail(new Error(`127.0.0.1:${port} did not answer ${args[0]}`)), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const parsed = parse(buffer, 0);
      if (parsed === undefined) return;
      clearTimeout(timer);
      socket.end();
      if (parsed.value instanceof Error) reject(parsed.value);
      else resolve(parsed.value);
    });
    socket.on('error', fail);
    socket.on('close', () => fail(new Error(`127.0.0.1:${port} closed the connection`)));
    socket.write(`*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`);
  });
}

type Parsed = { value: RespValue | Error; end: number } | undefined;

// Undefined while the reply is incomplete.
function parse(buffer: Buffer, start: number): Parsed {
  const lineEnd = buffer.indexOf('\r\n', start);
  if (lineEnd < 0) return undefined;
  const line = buffer.toString('utf8', start + 1, lineEnd);
  const next = lineEnd + 2;
  switch (String.fromCharCode(buffer[start]!)) {
    case '+':
      return { value: line, end: next };
    case '-':
      return { value: new Error(line), end: next };
    case ':':
      return { value: Number(line), end: next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, end: next };
      if (buffer.length < next + length + 2) return undefined;
      return { value: buffer.toString('utf8', next, next + length), end: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, end: next };
      const items: RespValue[] = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const item = parse(buffer, at);
        if (item === undefined) return undefined;
        if (item.value instanceof Error) return item;
        items.push(item.value);
        at = item.end;
      }
      return { value: items, end: at };
    }
    default:
      return { value: new Error(`unexpected reply: ${line}`), end: next };
  }
}

/** The `field:value` lines of an INFO reply (or CLUSTER INFO) as a map. */
export function infoFields(reply: RespValue): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of String(reply).split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/** The sum of `total_commands_processed` over the servers that run. */
export async function commandsProcessed(servers: ReadonlyArray<{ readonly port: number; readonly alive: boolean }>) {
  const counts = await Promise.all(
    servers
      .filter((server) => server.alive)
      .map(async (server) =>
        Number(infoFields(await query(server.port, ['INFO', 'stats'])).get('total_commands_processed')),
      ),
  );
  return counts.reduce((sum, count) => sum + count, 0);
}
