/// The Redis chord-join scripts. Key layout, arguments and return values are those of
/// Celery 5.7 (`celery/backends/redis.py`), so Swift and Python 5.7 workers can finish each
/// other's chords: the same `.j` sorted set (member `[1, tid, state, result]`, score =
/// `group_index`), `.d` dedupe set (`tid:index`), `.s` size, `.t` total diff and `.c` claim.
enum ChordScripts {
    /// Records one header part, once, and claims the callback dispatch when it completes the chord.
    ///
    /// KEYS: `.j`, `.t`, `.s`, `.d`, group key, `.c`.
    /// ARGV: task id, member JSON, ordered ("1"), score, expires, group expires, claim expiry, claim token.
    /// Returns `{readycount, totaldiff, size, claimed}`, plus every recorded member (in header
    /// order) as a fifth element for the caller that claimed; `{-1, 0, 0, 0}` after the chord is
    /// done.
    static let partReturn = """
    local jkey, tkey, skey, dkey, gkey, ckey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
    local tid, value, ordered, score = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
    local expires, group_expires = tonumber(ARGV[5]), tonumber(ARGV[6])
    local claim_expires, claim_token = tonumber(ARGV[7]), ARGV[8]
    if redis.call('GET', ckey) == 'done' then
        return {-1, 0, 0, 0}
    end
    local member = tid .. ':' .. score
    if redis.call('SISMEMBER', dkey, member) == 0 then
        if ordered == '1' then
            redis.call('ZADD', jkey, score, value)
        else
            redis.call('RPUSH', jkey, value)
        end
        redis.call('SADD', dkey, member)
    end
    local readycount
    if ordered == '1' then
        readycount = redis.call('ZCOUNT', jkey, '-inf', '+inf')
    else
        readycount = redis.call('LLEN', jkey)
    end
    if expires > 0 then
        for _, key in ipairs({jkey, tkey, skey, dkey}) do
            redis.call('EXPIRE', key, expires)
        end
        if group_expires > 0 then
            redis.call('EXPIRE', gkey, group_expires)
        end
    end
    local totaldiff = redis.call('GET', tkey)
    local size = redis.call('GET', skey)
    if size and readycount == tonumber(size) + tonumber(totaldiff or 0) then
        if redis.call('SET', ckey, claim_token, 'NX', 'EX', claim_expires) then
            local members
            if ordered == '1' then
                members = redis.call('ZRANGE', jkey, 0, -1)
            else
                members = redis.call('LRANGE', jkey, 0, -1)
            end
            return {readycount, totaldiff, size, 1, members}
        end
    end
    return {readycount, totaldiff, size, 0}
    """

    /// Extends the claim while this worker owns it, or re-takes an expired claim while the chord
    /// data is still there. KEYS: `.c`, `.s`. ARGV: token, expiry. Returns 1 when held.
    static let claimExtend = """
    local ckey, skey = KEYS[1], KEYS[2]
    local token, expires = ARGV[1], tonumber(ARGV[2])
    if redis.call('GET', ckey) == token then
        return redis.call('EXPIRE', ckey, expires)
    end
    if not redis.call('GET', ckey) and redis.call('EXISTS', skey) == 1 then
        return redis.call('SET', ckey, token, 'EX', expires, 'NX') and 1 or 0
    end
    return 0
    """

    /// Deletes the chord data and leaves a `done` marker, if the token still owns the claim.
    /// KEYS: `.c`, `.j`, `.t`, `.s`, `.d`. ARGV: token, done-marker expiry. Returns 1 when cleaned.
    static let cleanup = """
    if redis.call('GET', KEYS[1]) == ARGV[1] then
        redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5])
        local done_expires = tonumber(ARGV[2])
        if done_expires and done_expires > 0 then
            redis.call('SET', KEYS[1], 'done', 'EX', done_expires)
        end
        return 1
    end
    return 0
    """
}
