// The Redis store and lock on top of the core (a server bundle), the Redis client left out.
export { RedisRefreshLock, RedisTokenStore } from '../../dist/esm/redis.mjs';
