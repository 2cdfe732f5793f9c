import { DeadlineQueue } from '../../lib/transport/deadline-queue';

// Real timers with short durations; every spec waits for the expiries it expects, never for a set time.
describe('DeadlineQueue (one timer for many deadlines of one duration)', () => {
  const expiry = (queue: DeadlineQueue, log: string[], name: string) =>
    new Promise<number>((resolve) => {
      const addedAt = performance.now();
      queue.add(() => {
        log.push(name);
        resolve(performance.now() - addedAt);
      });
    });

  it('expires each deadline after its duration, in the order they were set, and skips the cancelled', async () => {
    const queue = new DeadlineQueue(30);
    const log: string[] = [];
    const first = expiry(queue, log, 'first');
    const cancelled = queue.add(() => log.push('cancelled'));
    const last = expiry(queue, log, 'last');
    cancelled.cancel();
    const waited = await Promise.all([first, last]);
    expect(log).toEqual(['first', 'last']);
    // Never early (a timer may fire a little before performance.now() says it is due; the queue waits on).
    for (const ms of waited) expect(ms).toBeGreaterThanOrEqual(30);
  });

  it('keeps its timer for deadlines set after the first was cancelled, and for those set while it was armed', async () => {
    const queue = new DeadlineQueue(40);
    const log: string[] = [];
    queue.add(() => log.push('cancelled')).cancel();
    const second = expiry(queue, log, 'second');
    // Set once the first live deadline is gone: the timer must have been re-armed for it.
    const third = second.then(() => expiry(queue, log, 'third'));
    const waited = await Promise.all([second, third]);
    expect(log).toEqual(['second', 'third']);
    for (const ms of waited) expect(ms).toBeGreaterThanOrEqual(40);
  });

  it('lets a deadline be cancelled after it expired, and twice, without touching the others', async () => {
    const queue = new DeadlineQueue(20);
    const log: string[] = [];
    let early!: { cancel(): void };
    const expired = new Promise<void>((resolve) => {
      early = queue.add(() => {
        log.push('early');
        resolve();
      });
    });
    await expired;
    const later = expiry(queue, log, 'later');
    early.cancel();
    early.cancel();
    await later;
    expect(log).toEqual(['early', 'later']);
  });
});
