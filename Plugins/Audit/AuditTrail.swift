import AerolithPluginKit
import Crypto
import Foundation

/// How entries are stored: one state key per event, `trail/<20 digits>` where the digits are
/// `UInt64.max - sequence`, so the host's ascending key listing reads newest first. Sequences
/// survive restarts (the host persists them), and an existing key is never written over: an
/// entry whose key is taken goes under the key with `.<n>` appended.
enum AuditTrail {
    static let prefix = "trail/"
    /// Where version 1.0 kept entries (`event/<sequence>`, oldest first); moved on activation.
    static let legacyPrefix = "event/"
    /// Most keys listed per state_list call while migrating (the host's AEROLITH_STATE_LIST_COUNT_MAX).
    static let migrationPageCountMax: UInt32 = 1_000
    /// Most `.<n>` suffixes tried for one taken key before the event is refused.
    static let collisionSuffixCountMax = 1_000

    static func key(sequence: UInt64) -> String {
        let digits = String(UInt64.max - sequence)
        return prefix + String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    /// Stores one event's entry under a key not used before. An entry larger than a state value
    /// may be keeps everything but the document, which it names by SHA-256 digest and size, so a
    /// committed change always leaves a record.
    static func record(_ event: Event, call: Call) throws {
        var value = Array(event.payload.utf8)
        if value.count > type(of: call.host).stateValueBytesMax { value = try digestEntry(value) }
        try putNew(key(sequence: event.sequence), value, call: call)
    }

    private static func putNew(_ base: String, _ value: [UInt8], call: Call) throws {
        var key = base
        var suffix = 0
        while try call.host.stateGet(key) != nil {
            suffix += 1
            guard suffix <= collisionSuffixCountMax else { throw PluginError(.limitExceeded, "every key for \(base) is taken") }
            key = base + "." + String(suffix)
        }
        try call.host.statePut(key, value)
    }

    /// The entry without its `data`: `data_sha256` (hex) and `data_bytes` name the document body
    /// exactly as it was stored. The host writes `data` last, after fields whose text cannot
    /// hold `,"data":` unescaped, so its first occurrence starts the body.
    static func digestEntry(_ payload: [UInt8]) throws -> [UInt8] {
        let marker = Array(#","data":"#.utf8)
        guard let start = firstIndex(of: marker, in: payload), payload.last == UInt8(ascii: "}") else {
            throw PluginError(.invalidArgument, "an event payload too large to store and without a data field")
        }
        let body = payload[(start + marker.count)..<(payload.count - 1)]
        let digest = SHA256.hash(data: body).map { String(format: "%02x", $0) }.joined()
        return Array(payload[..<start]) + Array(#","data_omitted":true,"data_sha256":"\#(digest)","data_bytes":\#(body.count)}"#.utf8)
    }

    private static func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for index in 0...(haystack.count - needle.count) where haystack[index] == needle[0] {
            if haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
        }
        return nil
    }

    /// Moves version 1.0's `event/<sequence>` entries to trail keys, never over an existing one.
    static func migrateLegacyEntries(call: Call) throws {
        while true {
            let keys = try AuditPage.keys(try call.host.stateList(prefix: legacyPrefix, limit: migrationPageCountMax))
            guard !keys.isEmpty else { return }
            for legacy in keys {
                if let value = try call.host.stateGet(legacy), let sequence = UInt64(legacy.dropFirst(legacyPrefix.count)) {
                    try putNew(key(sequence: sequence), value, call: call)
                }
                try call.host.stateDelete(legacy)
            }
        }
    }
}
