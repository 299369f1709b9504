/**
 * Rate limits shared by every instance of a service: {@link
 * dev.bulwark.ratelimit.redis.RedisRateLimiterStore}, a store for the core's rate limiters whose
 * every decision is one atomic script on Redis, with an explicit {@link
 * dev.bulwark.ratelimit.redis.FailureMode} for when Redis is unavailable.
 */
package dev.bulwark.ratelimit.redis;
