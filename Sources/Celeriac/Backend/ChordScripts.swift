/// The Redis chord-join scripts. Key layout, arguments and return values are those of
/// Celery 5.7 (`celery/backends/redis.py`), so Swift and Python 5.7 workers can finish each
/// other's chords: the same `.j` sorted set (member `[1, tid, state, result]`, score =
/// `group_index`), `.d` dedupe set (`tid:index`), `.s` size, `.t` total diff and `.c` claim.
enum ChordScripts {
    /// `chord_part_return(keys, argv)`: records one header part, once, and claims the callback
    /// dispatch when it completes the chord.
    ///
    /// keys: `.j`, `.t`, `.s`, `.d`, group key, `.c`.
    /// argv: task id, member JSON, ordered ("1"), score, expires, group expires, claim expiry, claim token.
    /// Returns `{readycount, totaldiff, size, claimed}`, plus every recorded member (in header
    /// order) as a fifth element for the caller that claimed; `{-1, 0, 0, 0}` after the chord is
    /// done.
    static let partReturnFunction = """
    local function chord_part_return(keys, argv)
        local jkey, tkey, skey, dkey, gkey, ckey = keys[1], keys[2], keys[3], keys[4], keys[5], keys[6]
        local tid, value, ordered, score = argv[1], argv[2], argv[3], argv[4]
        local expires, group_expires = tonumber(argv[5]), tonumber(argv[6])
        local claim_expires, claim_token = tonumber(argv[7]), argv[8]
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
    end

    """

    /// KEYS and ARGV as `chord_part_return`'s keys and argv.
    static let partReturn = partReturnFunction + "return chord_part_return(KEYS, ARGV)\n"

    /// A header part's result stored and the part recorded in one call (one round trip, one
    /// script run instead of two). KEYS: result key, then `chord_part_return`'s six. ARGV: JSON
    /// meta, result expiry, then `chord_part_return`'s eight. Returns `chord_part_return`'s reply.
    static let storeAndPartReturn = ResultScripts.storeFunction + partReturnFunction + """
    store_result(KEYS[1], ARGV[1], tonumber(ARGV[2]))
    return chord_part_return({KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]},
                             {ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10]})

    """

    /// Extends the claim while this worker owns it, or takes it over when it lapsed (its holder
    /// died) while the chord data is still there. KEYS: `.c`, `.s`. ARGV: token, expiry.
    /// Returns 1 when held by the token, 0 when another token holds it, -1 when the chord is
    /// done (or its data has gone).
    static let claimExtend = """
    local ckey, skey = KEYS[1], KEYS[2]
    local token, expires = ARGV[1], tonumber(ARGV[2])
    local holder = redis.call('GET', ckey)
    if holder == token then
        redis.call('EXPIRE', ckey, expires)
        return 1
    end
    if holder == 'done' then
        return -1
    end
    if holder then
        return 0
    end
    if redis.call('EXISTS', skey) == 1 then
        redis.call('SET', ckey, token, 'EX', expires)
        return 1
    end
    return -1
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
