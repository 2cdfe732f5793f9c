/**
 * Resolves once `condition` holds, checking it each turn of the event loop (a pub/sub message
 * has no other hook a spec can wait on); fails with `what` after `timeoutMs` instead of hanging.
 */
export async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'the condition',
): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
