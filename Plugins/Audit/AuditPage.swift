import AerolithPluginKit
import Foundation

/// One page of GET /v1/audit: `?limit=` entries (newest first) after `?cursor=`, the
/// `next_cursor` of the page before; `next_cursor` is null on the last page.
enum AuditPage {
    /// Entries per page when `limit` is not given.
    static let pageCountDefault = 100
    /// Most entries per page (one more is listed, to know whether a next page exists, within
    /// the host's AEROLITH_STATE_LIST_COUNT_MAX).
    static let pageCountMax = 500
    /// Most entry bytes per page: below the host's limit on a route response
    /// (`PluginLimits.outputBodyBytesMax`, 2 MiB), and one entry (at most a state value, 1 MiB)
    /// always fits.
    static let pageBytesMax = 1_572_864

    /// A 400's body.
    struct Problem: Error {
        let json: String
    }

    struct Request {
        var limit = pageCountDefault
        var cursor = ""

        /// The query's `limit` and `cursor`, or a problem body for a 400.
        static func parse(_ query: String) -> Result<Request, Problem> {
            var request = Request()
            for pair in query.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let value = parts.count > 1 ? String(parts[1]).removingPercentEncoding ?? "" : ""
                switch parts[0] {
                case "limit":
                    guard let limit = Int(value), limit >= 1, limit <= pageCountMax else {
                        return .failure(Problem(json: #"{"code":"invalid_parameter","detail":"limit must be 1-\#(pageCountMax)"}"#))
                    }
                    request.limit = limit
                case "cursor":
                    guard !value.isEmpty, value.utf8.count <= 64,
                        value.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") })
                    else {
                        return .failure(Problem(json: #"{"code":"invalid_cursor","detail":"cursor must be a next_cursor of this trail"}"#))
                    }
                    request.cursor = value
                default:
                    continue
                }
            }
            return .success(request)
        }
    }

    /// The page as JSON: `{"events":[...],"next_cursor":"…"|null}`. A page also ends before
    /// its entries pass `pageBytesMax`, so it always fits in a route response.
    static func read(_ request: Request, call: Call) throws -> String {
        let after = request.cursor.isEmpty ? "" : AuditTrail.prefix + request.cursor
        let keys = try self.keys(try call.host.stateList(prefix: AuditTrail.prefix, after: after, limit: UInt32(request.limit + 1)))
        var entries: [String] = []
        var bytes = 0
        var last: String?
        var more = keys.count > request.limit
        for key in keys.prefix(request.limit) {
            guard let value = try call.host.stateGet(key) else { continue }
            if !entries.isEmpty, bytes + value.count > pageBytesMax {
                more = true
                break
            }
            entries.append(String(decoding: value, as: UTF8.self))
            bytes += value.count + 1
            last = key
        }
        let next = more ? last.map { #""\#($0.dropFirst(AuditTrail.prefix.count))""# } ?? "null" : "null"
        return #"{"events":["# + entries.joined(separator: ",") + #"],"next_cursor":\#(next)}"#
    }

    static func keys(_ json: String) throws -> [String] {
        guard let keys = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String] else {
            throw PluginError(.internalError, "the host returned an unreadable key list")
        }
        return keys
    }
}
