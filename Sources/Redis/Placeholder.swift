// Placeholder; replaced by the Redis client.
