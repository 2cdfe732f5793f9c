// A longer soak than the spec runs: `npm run soak`, or `SOAK_SECONDS=300 SOAK_CONCURRENCY=200 npm run soak`.
// Prints the report as JSON; exits non-zero when a request failed, a refresh token was reused,
// refreshes outran expiries, or the heap grew past the bound.
import { runSoak } from './support/soak';

async function main(): Promise<number> {
  const seconds = Number(process.env['SOAK_SECONDS'] ?? 30);
  const concurrency = Number(process.env['SOAK_CONCURRENCY'] ?? 200);
  const expireEveryMs = Number(process.env['SOAK_EXPIRE_MS'] ?? 150);
  const report = await runSoak({ seconds, concurrency, expireEveryMs });
  const growthMb = (report.heapEndBytes - report.heapWarmBytes) / 2 ** 20;
  console.log(JSON.stringify({ ...report, heapGrowthMb: Number(growthMb.toFixed(2)) }, null, 2));
  const problems = [
    report.failures > 0 && `${report.failures} requests failed`,
    report.refreshTokenReuse > 0 && `${report.refreshTokenReuse} refresh tokens reused`,
    report.refreshCalls > report.expiries + 2 && `${report.refreshCalls} refreshes for ${report.expiries} expiries`,
    growthMb > 16 && `heap grew ${growthMb.toFixed(1)} MB`,
  ].filter(Boolean);
  for (const problem of problems) console.error(`soak: ${problem}`);
  return problems.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
