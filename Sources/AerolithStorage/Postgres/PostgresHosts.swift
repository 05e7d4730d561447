/// One server of a target: `host:port`.
struct PostgresHost: Sendable, Hashable, CustomStringConvertible {
    let host: String
    let port: Int

    var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// The host list of a multi-host URL, `postgres://user:pw@h1:5432,h2:5433/db` (as libpq
/// writes it), which `URLComponents` cannot parse: split off so the rest parses as one host.
enum PostgresHosts {
    /// The URL with only its first host, and every host in order (`defaultPort` where one names none).
    static func split(_ url: String, defaultPort: Int) throws(StorageError) -> (singleHostURL: String, hosts: [PostgresHost]) {
        guard let schemeEnd = url.range(of: "://") else { return (url, []) }
        let afterScheme = url[schemeEnd.upperBound...]
        let authorityEnd = afterScheme.firstIndex { $0 == "/" || $0 == "?" } ?? afterScheme.endIndex
        let authority = afterScheme[..<authorityEnd]
        let hostsStart = authority.lastIndex(of: "@").map { authority.index(after: $0) } ?? authority.startIndex
        let list = authority[hostsStart...]
        let hosts = try parseList(list, defaultPort: defaultPort)
        guard hosts.count > 1 else { return (url, hosts) }
        let first = String(list.prefix { $0 != "," })
        return (String(url[..<hostsStart]) + first + String(url[authorityEnd...]), hosts)
    }

    /// A comma-separated list of hosts, as a URL's authority or its `replicas` parameter holds it.
    static func parseList(_ list: Substring, defaultPort: Int) throws(StorageError) -> [PostgresHost] {
        var hosts: [PostgresHost] = []
        for entry in list.split(separator: ",", omittingEmptySubsequences: false) {
            let (host, port) = try parse(entry)
            hosts.append(PostgresHost(host: host, port: port ?? defaultPort))
        }
        return hosts
    }

    /// `host`, `host:port`, `[v6]` or `[v6]:port`.
    private static func parse(_ entry: Substring) throws(StorageError) -> (host: String, port: Int?) {
        let invalid = StorageError(.invalidStorageConfiguration, "\"\(entry.prefix(80))\" is not a host or host:port")
        var host = entry
        var portText: Substring?
        if entry.hasPrefix("[") {
            guard let close = entry.firstIndex(of: "]") else { throw invalid }
            host = entry[entry.index(after: entry.startIndex)..<close]
            let rest = entry[entry.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { throw invalid }
                portText = rest.dropFirst()
            }
        } else if let colon = entry.lastIndex(of: ":") {
            host = entry[..<colon]
            portText = entry[entry.index(after: colon)...]
        }
        guard !host.isEmpty else { throw invalid }
        guard let portText else { return (String(host), nil) }
        guard let port = Int(portText), (1...65_535).contains(port) else { throw invalid }
        return (String(host), port)
    }
}
