import AerolithJSON
import Foundation
import Testing

@testable import AerolithStorage

/// A populated embedded store for the migration tests: several placements (the platform's `sys`
/// and two tenants), indexes (one unique, one compound), documents written more than once
/// (versions above 1), a deleted one, and key-value entries with binary keys.
enum MigrationFixture {
    static let placements = ["sys", "t_alpha", "t_beta"]

    /// Fills `store`; `bulk` more documents go into t_alpha/items with client-chosen ids out of
    /// insertion order, so row order and id order differ.
    static func populate(_ store: SQLiteDocumentStore, bulk: Int = 0) async throws {
        let sys = try Placement(tablePrefix: "sys")
        let tenants = try await collection("tenants", in: sys, on: store)
        _ = try await store.createIndex(
            try IndexDefinition(name: "bySlug", paths: [try FieldPath("slug")], unique: true), on: tenants, placement: sys)
        for (id, slug) in [("acme", "acme"), ("globex", "globex"), ("initech", "initech")] {
            _ = try await store.insert(
                try object(#"{"slug":"\#(slug)","plan":"free","n":1.50}"#), id: try DocumentID(id), into: tenants, in: sys)
        }
        _ = try await store.patch(
            try DocumentID("acme"), with: try JSONParser.parse(#"{"plan":"professional"}"#), expectedVersion: 1, in: tenants, placement: sys
        )
        _ = try await store.replace(
            try DocumentID("acme"), with: try object(#"{"slug":"acme","plan":"enterprise","z":{"b":1,"a":2}}"#), expectedVersion: 2,
            mode: .upsert, in: tenants, placement: sys)
        try await store.delete(try DocumentID("initech"), expectedVersion: nil, in: tenants, placement: sys)
        _ = try await collection("sessions", in: sys, on: store)

        let alpha = try Placement(tablePrefix: "t_alpha")
        let items = try await collection("items", in: alpha, on: store)
        _ = try await store.createIndex(
            try IndexDefinition(name: "byKindRank", paths: [try FieldPath("kind"), try FieldPath("rank")]), on: items, placement: alpha)
        for number in 0..<max(bulk, 20) {
            // Ids from the end backwards: the first inserted has the highest id.
            let id = String(format: "item-%06d", max(bulk, 20) - number)
            _ = try await store.insert(
                try object(#"{"kind":"k\#(number % 3)","rank":\#(number),"text":"ünïcode \#(number)"}"#), id: try DocumentID(id),
                into: items,
                in: alpha)
        }
        for number in stride(from: 1, to: 6, by: 1) {
            let id = try DocumentID(String(format: "item-%06d", number))
            _ = try await store.patch(
                id, with: try JSONParser.parse(#"{"edited":true}"#), expectedVersion: nil, in: items, placement: alpha)
        }
        _ = try await collection("empty", in: alpha, on: store)

        let beta = try Placement(tablePrefix: "t_beta")
        let notes = try await collection("notes", in: beta, on: store)
        _ = try await store.insert(try object(#"{"title":"generated id"}"#), id: nil, into: notes, in: beta)

        try store.keyValues.put(namespace: "kernel", key: Array("plugins/audit".utf8), value: Array(#"{"active":["acme"]}"#.utf8))
        try store.keyValues.put(namespace: "kernel", key: [], value: [0])
        try store.keyValues.put(namespace: "plugin.audit", key: [0, 255, 1], value: [1, 2, 3])
        try store.keyValues.put(namespace: "plugin.audit", key: [0xFF], value: [])
    }

    private static func collection(_ name: String, in placement: Placement, on store: SQLiteDocumentStore) async throws -> CollectionName {
        let collection = try CollectionName(name)
        _ = try await store.createCollection(collection, in: placement)
        return collection
    }

    /// Expects `target` to hold exactly what `source` holds: collections with creation times,
    /// counts and sizes, indexes (ready), documents in row order, key values.
    static func expectEqual(_ source: some MigratableStore, _ target: some MigratableStore) async throws {
        let placements = try await source.migrationPlacements()
        #expect(placements.map(\.tablePrefix) == Self.placements)
        #expect(try await target.migrationPlacements() == placements)
        for placement in placements {
            let collections = try await source.collections(in: placement)
            #expect(try await target.collections(in: placement) == collections)
            for info in collections {
                let name = try CollectionName(info.name)
                let indexes = try await target.indexes(on: name, placement: placement)
                #expect(indexes.allSatisfy { $0.state == .ready })
                #expect(
                    indexes.map { "\($0.name)\($0.paths)\($0.unique)" }
                        == (try await source.indexes(on: name, placement: placement)).map { "\($0.name)\($0.paths)\($0.unique)" })
                let all = try await source.exportDocuments(of: name, in: placement, after: nil, limit: 100_000)
                #expect(try await target.exportDocuments(of: name, in: placement, after: nil, limit: 100_000) == all)
                // Unsorted queries return documents in row order: the same order on both.
                #expect(try await ids(target, name, placement) == (try await ids(source, name, placement)))
            }
        }
        let namespaces = try await source.keyValueNamespaces()
        #expect(namespaces == ["kernel", "plugin.audit"])
        #expect(try await target.keyValueNamespaces() == namespaces)
        for namespace in namespaces {
            #expect(
                try await target.exportKeyValues(namespace: namespace, after: nil, limit: 1_000)
                    == (try await source.exportKeyValues(namespace: namespace, after: nil, limit: 1_000)))
        }
    }

    private static func ids(_ store: some MigratableStore, _ name: CollectionName, _ placement: Placement) async throws -> [String] {
        try await allIDs(store, "{}", in: name, placement: placement)
    }

    /// A fresh SQLite store in a temporary directory, removed afterwards.
    static func withSQLite<T>(_ body: (SQLiteDocumentStore) async throws -> T) async throws -> T {
        let directory = NSTemporaryDirectory() + "aerolith-migration-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        return try await body(try SQLiteDocumentStore(directory: directory))
    }
}
