import AerolithStorage
import Crypto
import Foundation
import JWTKit

extension Platform {
    /// Signs a user in: checks the throttle, the password (in constant time, and as slowly for
    /// an unknown email), the user's and tenant's status; then opens a session. `tenantID` is
    /// the tenant's id or its slug (one account, one throttle, whichever names it).
    public func login(tenantID reference: String, email rawEmail: String, password: String, clientAddress: String?) async throws
        -> IssuedTokens
    {
        let email = User.normalizedEmail(rawEmail) ?? rawEmail.lowercased()
        let named = try? await self.tenant(named: reference)
        let tenantID = named?.id ?? reference
        let account = LoginThrottle.accountKey(tenantID: tenantID, email: email)
        let attempt = try throttle.reserve(account: account, address: clientAddress)
        let found: User? = if let named { try await user(tenantID: named.id, email: email) } else { nil }
        let check: (matches: Bool, needsRehash: Bool)
        // Hashes queue per tenant; made-up tenant ids all share one queue.
        let queue = named?.id ?? PasswordHasher.unknownTenantKey
        do {
            if let found, password.utf8.count <= IdentityLimits.passwordLengthBytesMax {
                check = try await hasher.verify(password, against: found.passwordHash, tenantID: queue)
            } else {
                try await hasher.verifyNothing(String(password.utf8.prefix(IdentityLimits.passwordLengthBytesMax)) ?? "", tenantID: queue)
                check = (false, false)
            }
        } catch {
            throttle.cancel(attempt)
            throw error
        }
        guard let named, let found, check.matches else {
            throw PlatformError(.invalidCredentials, "the tenant, email or password is wrong")
        }
        throttle.succeeded(attempt)
        guard named.status == .active else { throw PlatformError(.tenantSuspended, "the tenant is suspended") }
        guard found.status == .active else { throw PlatformError(.userSuspended, "this user is suspended") }
        var signingIn = found
        if check.needsRehash, let hash = try? await hasher.hash(password, tenantID: tenantID) {
            signingIn.passwordHash = hash
            // A concurrent change wins; the rehash waits for the next sign-in.
            signingIn = (try? await save(signingIn)) ?? found
        }
        return try await openSession(for: signingIn)
    }

    /// A new session for `user`, ending their oldest ones beyond the per-user limit.
    func openSession(for user: User) async throws -> IssuedTokens {
        let active = try await sessions(ofUser: user.id).filter(\.isActive).sorted { $0.createdAt.milliseconds < $1.createdAt.milliseconds }
        for old in active.prefix(max(0, active.count - identity.sessionsPerUserMax + 1)) {
            try await end(old, reason: "session_limit")
        }
        let now = Timestamp.now()
        let refresh = Self.newRefreshToken(sessionID: RandomID.make(prefix: Session.idPrefix, length: Session.idRandomLength))
        let session = Session(
            id: refresh.sessionID, tenantID: user.tenantID, userID: user.id, refreshDigest: APIKey.digest(of: refresh.token),
            createdAt: now, expiresAt: Timestamp(milliseconds: now.milliseconds + Int64(identity.sessionAbsoluteLifetimeSeconds) * 1_000))
        _ = try await store.insert(session.json, id: try DocumentID(session.id), into: sessionsCollection, in: system)
        sessionCache.withLock { $0[session.id] = session }
        logger.info("signed in", metadata: ["tenant": "\(user.tenantID)", "user": "\(user.id)", "session": "\(session.id)"])
        return try await issue(user: user, session: session, refreshToken: refresh.token)
    }

    /// Exchanges a refresh token for new tokens. The presented token is spent: using it again
    /// ends the session, and every token issued from it stops working.
    public func refresh(_ refreshToken: String) async throws -> IssuedTokens {
        let invalid = PlatformError(.unauthenticated, "the refresh token is not valid")
        // As stored now: another node may have refreshed the session since this one cached it.
        if let sessionID = Self.sessionID(ofRefreshToken: refreshToken) { sessionCache.withLock { _ = $0.removeValue(forKey: sessionID) } }
        guard let sessionID = Self.sessionID(ofRefreshToken: refreshToken), var session = try await session(sessionID) else {
            throw invalid
        }
        let digest = APIKey.digest(of: refreshToken)
        guard session.isActive else { throw PlatformError(.sessionEnded, "the session has ended") }
        if !Self.constantTimeEqual(digest, session.refreshDigest) {
            guard session.previousDigests.contains(where: { Self.constantTimeEqual(digest, $0) }) else { throw invalid }
            try await end(session, reason: "refresh_token_reused")
            logger.warning("a refresh token was used twice; the session is revoked", metadata: ["session": "\(session.id)"])
            throw PlatformError(.refreshTokenReused, "this refresh token was already used; the session is revoked")
        }
        let now = Timestamp.now()
        let idleLimit = session.lastUsedAt.milliseconds + Int64(identity.sessionIdleTimeoutSeconds) * 1_000
        guard now.milliseconds < session.expiresAt.milliseconds, now.milliseconds < idleLimit else {
            try await end(session, reason: "expired")
            throw PlatformError(.sessionEnded, "the session has expired; sign in again")
        }
        guard let user = try await user(session.userID) else {
            try await end(session, reason: "user_deleted")
            throw PlatformError(.sessionEnded, "the user of this session no longer exists")
        }
        guard user.status == .active else { throw PlatformError(.userSuspended, "this user is suspended") }
        guard try await tenant(user.tenantID).status == .active else { throw PlatformError(.tenantSuspended, "the tenant is suspended") }
        let next = Self.newRefreshToken(sessionID: session.id)
        session.previousDigests = Array(
            (session.previousDigests + [session.refreshDigest]).suffix(IdentityLimits.refreshTokenHistoryCountMax))
        session.refreshDigest = APIKey.digest(of: next.token)
        session.lastUsedAt = now
        do throws(StorageError) {
            session.version = try await store.replace(
                try DocumentID(session.id), with: session.json, expectedVersion: session.version,
                mode: .replaceOnly, in: sessionsCollection, placement: system
            ).document.version
        } catch {
            guard error.code == .versionConflict || error.code == .documentNotFound else { throw error }
            // The same token spent twice at once, or the session ended meanwhile: either way it ends.
            sessionCache.withLock { _ = $0.removeValue(forKey: session.id) }
            guard let current = try await self.session(session.id), current.isActive else {
                throw PlatformError(.sessionEnded, "the session has ended")
            }
            try await end(current, reason: "refresh_token_reused")
            throw PlatformError(.refreshTokenReused, "this refresh token was used twice at once; the session is revoked")
        }
        // An end racing this refresh may have cached (and stored) the ended session meanwhile:
        // never put the active copy back over it, nor over a newer version.
        sessionCache.withLock { cache in
            if let cached = cache[session.id], !cached.isActive || cached.version > session.version { return }
            cache[session.id] = session
        }
        guard try await self.session(session.id)?.isActive == true else { throw PlatformError(.sessionEnded, "the session has ended") }
        return try await issue(user: user, session: session, refreshToken: next.token)
    }

    /// Ends a session now: its access tokens stop working on the next request.
    public func logout(sessionID: String) async throws {
        guard let session = try await session(sessionID) else { throw PlatformError(.sessionNotFound, "no such session") }
        try await end(session, reason: "logged_out")
    }

    /// A user's active sessions, newest first.
    public func sessions(userID: String, tenantID: String) async throws -> [Session] {
        let user = try await user(userID, tenantID: tenantID)
        return try await sessions(ofUser: user.id).filter(\.isActive).sorted { $0.createdAt.milliseconds > $1.createdAt.milliseconds }
    }

    /// Ends one of a user's sessions (`sessionID` must be theirs).
    public func revokeSession(_ sessionID: String, userID: String, tenantID: String) async throws {
        guard let session = try await session(sessionID), session.userID == userID, session.tenantID == tenantID else {
            throw PlatformError(.sessionNotFound, "session \"\(sessionID.prefix(40))\" does not exist")
        }
        try await end(session, reason: "revoked")
    }

    /// Who presents an access token: signature, `kid`, times, then the session (ended sessions
    /// refuse their tokens at once), the user and the tenant.
    public func authenticate(accessToken: String) async throws -> Principal {
        // The fast path: this token resolved before and nothing identity-related changed since.
        let generation = identityGeneration.load(ordering: .acquiring)
        if let resolved = principalCache.withLock({ $0[accessToken] }), resolved.generation == generation {
            try AccessClaims.checkNotExpired(resolved.expiresAt, now: Date())
            return resolved.principal
        }
        return try await resolve(accessToken)
    }

    /// Everything `authenticate` checks, remembered for the token under the generation read before.
    private func resolve(_ accessToken: String) async throws -> Principal {
        let generation = identityGeneration.load(ordering: .acquiring)
        let claims = try await accessTokens.verify(accessToken)
        guard let session = try await session(claims.sid), session.isActive, session.userID == claims.sub.value,
            session.tenantID == claims.tenant
        else {
            throw PlatformError(.sessionEnded, "the session of this access token has ended")
        }
        guard let user = try await user(session.userID) else {
            throw PlatformError(.sessionEnded, "the user of this session no longer exists")
        }
        guard user.status == .active else { throw PlatformError(.userSuspended, "this user is suspended") }
        guard try await tenant(user.tenantID).status == .active else { throw PlatformError(.tenantSuspended, "the tenant is suspended") }
        let principal = await Principal.tenant(
            TenantCaller(
                tenantID: user.tenantID, subject: user.id, kind: .user, grant: try grant(for: user),
                sessionID: session.id))
        principalCache.withLock { cache in
            if cache.count >= IdentityLimits.verifiedTokenCacheCountMax { cache.removeAll(keepingCapacity: true) }
            cache[accessToken] = ResolvedAccess(principal: principal, generation: generation, expiresAt: claims.exp.value)
        }
        return principal
    }

    /// Marks every remembered token resolution stale, and tells the other nodes sharing the
    /// store to drop what they remember. Called after the change is visible.
    func identityChanged() {
        identityGeneration.add(1, ordering: .releasing)
        let coordination = store.coordination
        Task { await coordination.announce(Self.platformChange) }
    }

    func issue(user: User, session: Session, refreshToken: String) async throws -> IssuedTokens {
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let claims = AccessClaims(
            sub: SubjectClaim(value: user.id), tenant: user.tenantID, roles: user.roles, sid: session.id,
            iat: IssuedAtClaim(value: now),
            exp: ExpirationClaim(value: now.addingTimeInterval(TimeInterval(identity.accessTokenLifetimeSeconds))),
            jti: IDClaim(value: RandomID.make(prefix: "", length: IdentityLimits.tokenIDRandomLength)))
        return IssuedTokens(
            accessToken: try await accessTokens.sign(claims), refreshToken: refreshToken,
            expiresInSeconds: identity.accessTokenLifetimeSeconds, sessionID: session.id, userID: user.id, tenantID: user.tenantID)
    }

    func session(_ id: String) async throws -> Session? {
        if let cached = sessionCache.withLock({ $0[id] }) { return cached }
        let generation = identityGeneration.load(ordering: .acquiring)
        guard RandomID.isValid(id, prefix: Session.idPrefix, length: Session.idRandomLength),
            let document = try await store.findDocument(try DocumentID(id), in: sessionsCollection, placement: system),
            var session = Session(body: document.body)
        else { return nil }
        session.version = document.version
        // Only what nothing changed while it was read is remembered, and never over an entry a
        // change has put there meanwhile (it is newer than what this lookup read).
        sessionCache.withLock { if identityGeneration.load(ordering: .acquiring) == generation, $0[id] == nil { $0[id] = session } }
        return session
    }

    func sessions(ofUser userID: String) async throws -> [Session] {
        let filter = Filter.all([
            .compare(try FieldPath("user_id"), .equal(.string(userID))), .compare(try FieldPath("active"), .equal(.bool(true))),
        ])
        var found: [Session] = []
        var cursor: String?
        repeat {
            let page = try await store.query(
                Query(filter: filter, limit: StorageLimits.queryLimitMax, cursor: cursor), in: sessionsCollection, placement: system)
            for document in page.documents { if let session = try await session(document.id) { found.append(session) } }
            cursor = page.nextCursor
        } while cursor != nil
        return found
    }

    func end(_ session: Session, reason: String) async throws {
        guard session.isActive else { return }
        var ended = session
        ended.revokedAt = .now()
        ended.revokedReason = reason
        // The cache first: from this instant no request is served on the session (the generation
        // moves before, so no lookup already reading the store can put it back). The write is
        // unconditional: ending wins over a refresh racing it (whose conditional write then fails).
        identityChanged()
        sessionCache.withLock { $0[ended.id] = ended }
        ended.version = try await store.replace(
            try DocumentID(ended.id), with: ended.json, expectedVersion: nil, mode: .upsert,
            in: sessionsCollection, placement: system
        ).document.version
        sessionCache.withLock { $0[ended.id] = ended }
        logger.info("session ended", metadata: ["session": "\(session.id)", "reason": "\(reason)"])
    }

    func endSessions(ofUser userID: String, reason: String, except kept: String?) async throws {
        for session in try await sessions(ofUser: userID) where session.isActive && session.id != kept {
            try await end(session, reason: reason)
        }
    }

    /// Deletes ended and expired sessions (keeping ended ones for a while, so a reused refresh
    /// token is still recognised until its session would have expired anyway).
    public func purgeSessions() async throws -> Int {
        let now = Timestamp.now().milliseconds
        let filter = Filter.compare(try FieldPath("expires_at"), .less(.integer(now)))
        var purged = 0
        while true {
            let page = try await store.query(
                Query(filter: filter, limit: StorageLimits.queryLimitMax), in: sessionsCollection, placement: system)
            for document in page.documents {
                try await store.delete(try DocumentID(document.id), expectedVersion: nil, in: sessionsCollection, placement: system)
                sessionCache.withLock { _ = $0.removeValue(forKey: document.id) }
                identityChanged()
                purged += 1
            }
            if page.nextCursor == nil { break }
        }
        let instant = Date()
        accessTokens.purgeExpired(now: instant)
        principalCache.withLock { cache in cache = cache.filter { $0.value.expiresAt > instant } }
        return purged
    }

    static func newRefreshToken(sessionID: String) -> (token: String, sessionID: String) {
        ("rt." + sessionID + "." + RandomID.make(prefix: "", length: IdentityLimits.refreshTokenRandomLength), sessionID)
    }

    static func sessionID(ofRefreshToken token: String) -> String? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "rt" else { return nil }
        return String(parts[1])
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8)
        let right = Array(b.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}
