/// Lua run inside Redis by the result backend.
enum ResultScripts {
    /// `is_success(stored)`: whether a stored result value (or false when there is none) is a
    /// SUCCESS; a value that is not JSON is not.
    static let successFunction = """
    local function is_success(stored)
      if not stored then return false end
      local ok, meta = pcall(cjson.decode, stored)
      return ok and type(meta) == 'table' and meta['status'] == 'SUCCESS'
    end

    """

    /// `store_result(key, value, ttl)`: stores a task result and announces it on the key's
    /// channel, unless a SUCCESS is already stored (a redelivered duplicate must never clobber a
    /// success: Celery's `_store_result` rule). Doing the check and the write in one script
    /// makes it atomic, which a client-side GET followed by MULTI/SETEX/PUBLISH/EXEC is not.
    /// Returns 1 when stored, 0 when an existing SUCCESS was kept.
    static let storeFunction = successFunction + """
    local function store_result(key, value, ttl)
      if is_success(redis.call('GET', key)) then return 0 end
      if ttl and ttl > 0 then
        redis.call('SETEX', key, ttl, value)
      else
        redis.call('SET', key, value)
      end
      redis.call('PUBLISH', key, value)
      return 1
    end

    """

    /// KEYS[1] result key; ARGV[1] JSON meta; ARGV[2] expiry in seconds (0 = none).
    /// Returns `store_result`'s 1 or 0.
    static let storeResult = storeFunction + "return store_result(KEYS[1], ARGV[1], tonumber(ARGV[2]))\n"

    /// `release_lease(key, owner)`: deletes a run lease only if `owner` still holds it.
    /// Returns 1 when deleted, 0 otherwise.
    static let releaseFunction = """
    local function release_lease(key, owner)
      if redis.call('GET', key) == owner then return redis.call('DEL', key) end
      return 0
    end

    """

    /// KEYS[1] lease key; ARGV[1] owner. Returns `release_lease`'s 1 or 0.
    static let releaseLease = releaseFunction + "return release_lease(KEYS[1], ARGV[1])\n"

    /// Extends a run lease only if `owner` still holds it. KEYS[1] lease key; ARGV[1] owner;
    /// ARGV[2] seconds. Returns 1 when extended, 0 when the lease is gone or someone else's.
    static let renewLease = """
    if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('EXPIRE', KEYS[1], ARGV[2]) end
    return 0
    """

    /// A chord body's start: the stored SUCCESS if it already ran, else the run lease.
    /// KEYS[1] result key, KEYS[2] lease key; ARGV[1] owner, ARGV[2] lease seconds.
    /// Returns `{2, stored JSON}` after a success, `{1}` with the lease taken, `{0}` when
    /// another owner holds it.
    static let startChordBody = successFunction + """
    local current = redis.call('GET', KEYS[1])
    if is_success(current) then return {2, current} end
    if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'EX', ARGV[2]) then return {1} end
    return {0}
    """

    /// `store_result`, then the run lease released if `owner` holds it. KEYS[1] result key,
    /// KEYS[2] lease key; ARGV[1] JSON meta, ARGV[2] expiry (0 = none), ARGV[3] owner.
    /// Returns `store_result`'s 1 or 0.
    static let storeReleasingLease = storeFunction + releaseFunction + """
    local stored = store_result(KEYS[1], ARGV[1], tonumber(ARGV[2]))
    release_lease(KEYS[2], ARGV[3])
    return stored

    """
}
