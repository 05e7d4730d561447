/// What the nodes sharing one store tell each other, and how they share background work.
///
/// On PostgreSQL any number of nodes use one database: a node that changes something it and
/// the others cache announces it after the change has committed, and every other node hears of
/// it within `ClusterLimits.changeDelayMillisecondsMax`. When a node may have missed
/// announcements (its listening connection broke, or has not been confirmed working within
/// that bound) it hears `ClusterChange.everything` instead, and drops every cache.
///
/// The embedded store has one node by construction: nothing to announce, every lease its own.
public protocol ClusterCoordination: Sendable {
    /// Tells every other node that `change` happened. Never fails: a node that cannot announce
    /// cannot reach the database, and so neither commits changes nor is heard by others.
    func announce(_ change: ClusterChange) async
    /// Changes the other nodes announce, and `.everything` when some may have been missed.
    /// One consumer per store: the server's synchroniser.
    func changes() -> AsyncStream<ClusterChange>
    /// Takes or renews the lease `name` for this node for `durationMilliseconds`: true if this
    /// node holds it now. A holder that stops renewing loses it when it runs out, and the next
    /// node to ask takes it: work done under a lease runs on one node at a time.
    func holdLease(_ name: String, durationMilliseconds: Int) async throws(StorageError) -> Bool
    /// This node, as other nodes see it in announcements and leases.
    var nodeID: String { get }
}

/// One announced change: what changed (`topic`) and which one (`subject`, empty for all).
public struct ClusterChange: Sendable, Hashable, CustomStringConvertible {
    public let topic: String
    public let subject: String

    public init(topic: String, subject: String = "") {
        self.topic = topic
        self.subject = subject
    }

    /// Anything may have changed: drop every cache.
    public static let everything = ClusterChange(topic: "*")

    public var description: String { subject.isEmpty ? topic : "\(topic):\(subject)" }
}

/// The bounds of cluster coordination, each with its unit.
public enum ClusterLimits {
    /// Longest a change made on one node stays unseen by another that can reach the database.
    public static let changeDelayMillisecondsMax = 2_000
    /// How often a listening connection is checked, so a broken one is noticed within the bound.
    static let listenerCheckIntervalMilliseconds = 500
    /// Wait before a listener reconnects after its connection broke.
    static let listenerReconnectDelayMilliseconds = 250
    /// Announcements heard and not yet applied that a node keeps; beyond it the oldest is dropped
    /// and the node hears `.everything` instead.
    static let pendingChangesCountMax = 1_024
    /// Longest payload a change may have (PostgreSQL's NOTIFY limit is 8,000 bytes).
    public static let changePayloadBytesMax = 1_000
}

/// The embedded store's coordination: one node, so nothing to tell and every lease held.
public struct SingleNodeCoordination: ClusterCoordination {
    public let nodeID: String

    public init(nodeID: String = "local") { self.nodeID = nodeID }

    public func announce(_ change: ClusterChange) async {}
    public func changes() -> AsyncStream<ClusterChange> { AsyncStream { _ in } }
    public func holdLease(_ name: String, durationMilliseconds: Int) async throws(StorageError) -> Bool { true }
}
