/// How long a connection may take to send its first request head, how long a kept-alive
/// connection may sit idle, and how many connections may be open at once. Without them a client
/// trickling a header, or holding many silent connections, keeps file descriptors (and so the
/// whole server) to itself.
public struct ConnectionLimits: Sendable, Equatable {
    /// From accepting a connection until its first request head is complete; past it the
    /// connection is closed. Later requests on a kept-alive connection are bounded by the idle
    /// timeout instead, which counts only complete request parts as activity.
    public var headerReadTimeoutSeconds: Int
    /// A connection with no request in progress and no complete request part read for this long
    /// is closed.
    public var idleTimeoutSeconds: Int
    /// Connections open at once; one accepted beyond it is closed at once. Lowered at start to fit
    /// the process's file-descriptor limit less `fileDescriptorsReserved`.
    public var connectionsMax: Int

    public static let headerReadTimeoutSecondsDefault = 10
    public static let idleTimeoutSecondsDefault = 60
    public static let connectionsMaxDefault = 4_096
    /// Descriptors kept for everything but client connections: the database and its WAL, reader
    /// connections, plugins, the listening socket, logs.
    public static let fileDescriptorsReserved = 256

    /// The accepted range of each setting, for configuration checks.
    public static let headerReadTimeoutSecondsRange = 1...3_600
    public static let idleTimeoutSecondsRange = 1...86_400
    public static let connectionsMaxRange = 1...1_000_000

    public init(
        headerReadTimeoutSeconds: Int = headerReadTimeoutSecondsDefault, idleTimeoutSeconds: Int = idleTimeoutSecondsDefault,
        connectionsMax: Int = connectionsMaxDefault
    ) {
        self.headerReadTimeoutSeconds = headerReadTimeoutSeconds
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.connectionsMax = connectionsMax
    }

    /// `connectionsMax`, lowered if need be so that connections cannot use up the descriptors
    /// the process has (`descriptorLimit`, its soft `RLIMIT_NOFILE`).
    func connectionsMaxFitting(descriptorLimit: Int) -> Int {
        max(1, min(connectionsMax, descriptorLimit - Self.fileDescriptorsReserved))
    }
}
