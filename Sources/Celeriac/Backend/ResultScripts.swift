/// Lua run inside Redis by the result backend.
enum ResultScripts {
    /// Stores a task result and announces it on the key's channel, unless a SUCCESS is already
    /// stored (a redelivered duplicate must never clobber a success: Celery's `_store_result`
    /// rule). Doing the check and the write in one script makes it atomic, which a client-side
    /// GET followed by MULTI/SETEX/PUBLISH/EXEC is not.
    ///
    /// KEYS[1] result key; ARGV[1] JSON meta; ARGV[2] expiry in seconds (0 = none).
    /// Returns 1 when stored, 0 when an existing SUCCESS was kept.
    static let storeResult = """
    local current = redis.call('GET', KEYS[1])
    if current then
      local ok, meta = pcall(cjson.decode, current)
      if ok and type(meta) == 'table' and meta['status'] == 'SUCCESS' then return 0 end
    end
    local ttl = tonumber(ARGV[2])
    if ttl and ttl > 0 then
      redis.call('SETEX', KEYS[1], ttl, ARGV[1])
    else
      redis.call('SET', KEYS[1], ARGV[1])
    end
    redis.call('PUBLISH', KEYS[1], ARGV[1])
    return 1
    """

    /// Deletes a run lease only if `owner` still holds it. KEYS[1] lease key; ARGV[1] owner.
    static let releaseLease = """
    if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
    return 0
    """
}
