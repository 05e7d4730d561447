import AerolithJSON
import Foundation
import Testing

@testable import AerolithStorage

/// Copying a deployment between engines: everything arrives exactly, both sides verify equal, a
/// second run copies nothing, an interrupted copy resumes, and a target holding other data is
/// refused before anything is written.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct StorageMigrationTests {
    @Test func sqliteIntoSQLiteCopiesEverythingAndVerifies() async throws {
        try await MigrationFixture.withSQLite { source in
            try await MigrationFixture.populate(source)
            try await MigrationFixture.withSQLite { target in
                let report = try await StorageMigration(from: source, to: target, batchSizeDocuments: 7).run()
                #expect(report.matches, "\(report.differences)")
                #expect(report.collections.count == 5 && report.namespaces.count == 2)
                try await MigrationFixture.expectEqual(source, target)
                let again = try await StorageMigration(from: source, to: target).run()
                #expect(again.matches && again.documentsCopied == 0 && again.collections.allSatisfy { $0.start == .complete })
            }
        }
    }

    @Test(.enabled(if: PostgresTestServer.isConfigured, PostgresTestServer.skipReason))
    func sqliteIntoPostgresCopiesEverythingAndVerifies() async throws {
        try await MigrationFixture.withSQLite { source in
            try await MigrationFixture.populate(source, bulk: 1_500)
            try await withPostgresStore { fixture in
                let target = fixture.postgres
                let report = try await StorageMigration(from: source, to: target, batchSizeDocuments: 200).run()
                #expect(report.matches, "\(report.differences)")
                #expect(report.documentsCopied == 1_500 + 3)
                try await MigrationFixture.expectEqual(source, target)
                // Clients keep their versions and ETags: the same document, byte for byte.
                let alpha = try Placement(tablePrefix: "t_alpha")
                let items = try CollectionName("items")
                let edited = try DocumentID("item-000003")
                let before = try await source.document(edited, in: items, placement: alpha)
                #expect(before.version == 2)
                #expect(try await target.document(edited, in: items, placement: alpha) == before)
                // The copy is a working store: a new document lands after the copied rows, a write bumps the version.
                _ = try await target.insert(try object(#"{"kind":"new"}"#), id: try DocumentID("aaa-new"), into: items, in: alpha)
                #expect(try await allIDs(target, "{}", in: items, placement: alpha).last == "aaa-new")
                let replaced = try await target.replace(
                    edited, with: try object("{}"), expectedVersion: 2, mode: .upsert, in: items, placement: alpha)
                #expect(replaced.document.version == 3)
                // The target now holds something the source does not: refused, nothing written.
                await #expect {
                    _ = try await StorageMigration(from: source, to: target).run()
                } throws: { error in
                    (error as? MigrationError)?.code == .targetConflict && "\(error)".contains("aaa-new")
                }
            }
        }
    }

    @Test(.enabled(if: PostgresTestServer.isConfigured, PostgresTestServer.skipReason))
    func interruptedCopyResumesAndFinishedCopyOnlyVerifies() async throws {
        try await MigrationFixture.withSQLite { source in
            try await MigrationFixture.populate(source, bulk: 1_200)
            try await withPostgresStore { fixture in
                let target = fixture.postgres
                // What a run killed after three pages of t_alpha/items leaves behind.
                let alpha = try Placement(tablePrefix: "t_alpha")
                let items = try CollectionName("items")
                let info = try source.collection(items, in: alpha)
                #expect(try await target.createCollection(items, createdAt: info.createdAt, in: alpha).name == "items")
                let first = try await source.exportDocuments(of: items, in: alpha, after: nil, limit: 300)
                try await target.importDocuments(first, into: items, in: alpha)
                // A page written twice changes nothing.
                try await target.importDocuments(Array(first.suffix(100)), into: items, in: alpha)
                #expect(try await target.collection(items, in: alpha).documentCount == 300)

                let report = try await StorageMigration(from: source, to: target, batchSizeDocuments: 100).run()
                #expect(report.matches, "\(report.differences)")
                let resumed = try #require(report.collections.first { $0.name == "items" })
                #expect(resumed.start == .resume(after: first[299].id, copied: 300) && resumed.copied == 900)
                #expect(try await target.collection(items, in: alpha).documentCount == 1_200)
                try await MigrationFixture.expectEqual(source, target)

                let again = try await StorageMigration(from: source, to: target).run()
                #expect(again.matches && again.documentsCopied == 0 && again.entriesCopied == 0)
                #expect(again.collections.allSatisfy { $0.start == .complete } && again.namespaces.allSatisfy { $0.start == .complete })
            }
        }
    }

    @Test(.enabled(if: PostgresTestServer.isConfigured, PostgresTestServer.skipReason))
    func targetHoldingAnotherDeploymentIsRefusedUntouched() async throws {
        try await MigrationFixture.withSQLite { source in
            try await MigrationFixture.populate(source)
            try await withPostgresStore(prefix: "sys") { fixture in
                let target = fixture.postgres
                // A server started once on the target made its own platform records.
                let tenants = try await fixture.collection("tenants")
                _ = try await target.insert(
                    try object(#"{"slug":"other"}"#), id: try DocumentID("acme"), into: tenants, in: fixture.placement)
                await #expect {
                    _ = try await StorageMigration(from: source, to: target).run()
                } throws: { error in
                    (error as? MigrationError)?.code == .targetConflict && "\(error)".contains("sys/tenants")
                }
                #expect(try await target.migrationPlacements().map(\.tablePrefix) == ["sys"])
                #expect(try await target.collections(in: fixture.placement).map(\.name) == ["tenants"])
                #expect(try await target.keyValueNamespaces().isEmpty)
            }
        }
    }
}
