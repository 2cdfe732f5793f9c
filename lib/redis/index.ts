/**
 * Node-only: a token store and a refresh lock on Redis, so that every process sharing one
 * credential refreshes it once per expiry. Works with node-redis and ioredis, on one server, a Cluster or behind Sentinel; kept out of the main
 * entry so that browser bundles never see it.
 *
 * @module rxjs-auth-http/redis
 */
export { RedisTokenStore } from './redis-token-store';
export type { RedisTokenStoreOptions } from './redis-token-store';
export { RedisRefreshLock } from './redis-refresh-lock';
export type { RedisRefreshLockOptions } from './redis-refresh-lock';
export type {
  IoRedisClient,
  IoRedisCluster,
  NodeRedisClient,
  NodeRedisCluster,
  NodeRedisSentinel,
  RedisClient,
} from './redis-connection';
