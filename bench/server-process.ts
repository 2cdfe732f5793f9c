// The loopback token + API server in a process of its own, so the client process measured is
// the only thing on its core. The orchestrator drives it over IPC: `begin` a cell (reset the
// counters, schedule token expiries), `stop-expiring` when the window closes, `end` to read what
// the server saw.
import { startTestServer } from '../test-server/start-test-server';
import type { ServerCommand, ServerReply } from './bench-plan';

async function main(): Promise<void> {
  // Tokens live an hour: within a cell only the scheduled expiries end them.
  const server = await startTestServer({ accessTokenLifetimeMs: 3_600_000 });
  let timers: NodeJS.Timeout[] = [];
  let expiries = 0;
  let cpuAtBegin = process.cpuUsage();
  let wallAtBegin = performance.now();
  const stopExpiring = () => {
    timers.forEach(clearTimeout);
    timers = [];
  };
  const reply = (message: ServerReply) => process.send?.(message);

  process.on('message', (command: ServerCommand) => {
    switch (command.type) {
      case 'begin':
        stopExpiring();
        server.resetStats();
        server.configure({ tokenDelayMs: command.tokenDelayMs });
        expiries = 0;
        for (let i = 0; i < command.expiries; i++) {
          const expire = () => {
            server.expireAccessTokens();
            expiries++;
          };
          timers.push(setTimeout(expire, command.periodMs / 2 + i * command.periodMs));
        }
        cpuAtBegin = process.cpuUsage();
        wallAtBegin = performance.now();
        return reply({ id: command.id, type: 'done' });
      case 'stop-expiring':
        stopExpiring();
        return reply({ id: command.id, type: 'done' });
      case 'end': {
        stopExpiring();
        const cpu = process.cpuUsage(cpuAtBegin);
        const { apiRequests, unauthorized, tokenRequests, refreshTokenReuse } = server.stats;
        const measurement = {
          apiRequests,
          unauthorized,
          refreshCalls: tokenRequests,
          refreshTokenReuse,
          expiries,
          cpuMicros: cpu.user + cpu.system,
          wallMs: performance.now() - wallAtBegin,
        };
        server.resetStats(); // drops the list of tokens seen, which grows with every request
        return reply({ id: command.id, type: 'done', measurement });
      }
    }
  });
  // The orchestrator going away, for whatever reason, ends the server too.
  process.on('disconnect', () => void server.close().then(() => process.exit(0)));
  reply({ type: 'listening', url: server.url });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
