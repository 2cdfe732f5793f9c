import { runSoak } from './support/soak';

// A short soak for every `npm test`; `npm run soak` runs the same for longer (SOAK_SECONDS).
describe('soak: 2,000 requests at concurrency 200 while every token is revoked each 150 ms', () => {
  it('fails no request, refreshes once per expiry, never reuses a refresh token, and keeps the heap flat', async () => {
    const report = await runSoak({ requests: 2_000, concurrency: 200, expireEveryMs: 150 });
    expect(report.failures).withContext(report.failureSamples.join('\n')).toBe(0);
    expect(report.requests).toBe(2_000);
    expect(report.refreshCalls).toBeLessThanOrEqual(report.expiries + 2);
    expect(report.refreshTokenReuse).toBe(0);
    // Each expiry that found requests in flight needed a refresh; tokens did expire under load.
    expect(report.unauthorized).toBeGreaterThan(0);
    expect(report.refreshCalls).toBeGreaterThan(0);
    // Flat within GC noise: 2,000 leaked requests would hold far more.
    expect(report.heapEndBytes - report.heapWarmBytes).toBeLessThan(8 * 2 ** 20);
  }, 60_000);
});
