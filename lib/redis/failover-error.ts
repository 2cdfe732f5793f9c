// A server's error reply, in either client library: node-redis' ErrorReply, ioredis' ReplyError.
const REPLY_ERRORS = new Set(['ErrorReply', 'ReplyError']);
// The replies of a primary that is failing over, or of a node that no longer holds the slot.
const FAILOVER_REPLIES = /^(CLUSTERDOWN|TRYAGAIN|READONLY|LOADING|MASTERDOWN|MOVED|ASK)\b/;

/**
 * Whether a failed command is worth sending again while a primary fails over: a lost connection or
 * a timeout is, as are the replies a failover causes; any other error reply (a script error, a key
 * of the wrong type) would fail the same way again.
 */
export function isFailover(error: unknown): boolean {
  if (!(error instanceof Error) || !REPLY_ERRORS.has(error.name)) return true;
  return FAILOVER_REPLIES.test(error.message);
}
