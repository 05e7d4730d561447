import Foundation
import Testing

/// Storage targets through the real binary: where a single `--storage` URL puts the data, and
/// the errors a bad storage setting gets before anything starts.
@Suite struct StorageTargetTests {
    @Test(.enabled(if: !TestStorage.isPostgres, "the server is given its own SQLite target here"))
    func aSQLiteTargetHoldsTheDataAndTheDataDirectoryOnlyTheAdminKey() async throws {
        let storageDirectory = StartupErrorTests.freshPath()
        defer { try? FileManager.default.removeItem(atPath: storageDirectory) }
        let server = try await ServerProcess(arguments: ["--storage", "sqlite:" + storageDirectory])
        defer { _ = server.stop() }
        let tenant = try await TenantFixture.make(server: server)
        #expect(try await tenant.send(.POST, "/v1/collections", body: #"{"name":"orders"}"#).status == 201)
        #expect(try await tenant.send(.PUT, "/v1/collections/orders/documents/o1", body: #"{"total":5}"#).status == 201)
        #expect(FileManager.default.fileExists(atPath: storageDirectory + "/aerolith.db"))
        #expect(!FileManager.default.fileExists(atPath: server.dataDirectory + "/aerolith.db"), "documents went to the data directory")
        #expect(FileManager.default.fileExists(atPath: server.dataDirectory + "/admin.key"))

        let record = try await HTTP.send(.GET, server.baseURL + "/v1/tenants/\(tenant.tenantID)", key: try server.adminKey)
        #expect(record.status == 200)
        // A restart with the same target finds everything again.
        _ = server.stop()
        try await server.start(arguments: ["--storage", "sqlite:" + storageDirectory])
        #expect(try await tenant.send(.GET, "/v1/collections/orders/documents/o1").status == 200)
    }

    @Test func aStorageURLWithoutAnEngineIsRefusedWithItsOrigin() async throws {
        let dataDirectory = StartupErrorTests.freshPath()
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        let flag = try await StartupErrorTests.aerolith([
            "serve", "--port", "0", "--data-dir", dataDirectory, "--storage", "mysql://root:hunter2@db:3306/app",
        ])
        #expect(flag.exited && flag.status != 0 && flag.stderr.hasPrefix("error: invalid_configuration: storage"), "\(flag.stderr)")
        #expect(flag.stderr.contains("sqlite:DIRECTORY or postgres://"), "\(flag.stderr)")
        #expect(!flag.stderr.contains("hunter2"), "the password was echoed: \(flag.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dataDirectory), "the failed start left \(dataDirectory) behind")

        let variable = try await StartupErrorTests.aerolith(
            ["serve", "--port", "0", "--data-dir", dataDirectory], environment: ["AEROLITH_STORAGE": "sqlite:"])
        #expect(variable.exited && variable.status != 0 && variable.stderr.contains("needs a data directory"), "\(variable.stderr)")
    }

    @Test func aTargetsObjectMustNameItsDefaultAmongItsTargets() async throws {
        let dataDirectory = StartupErrorTests.freshPath()
        let file = dataDirectory + ".json"
        defer {
            try? FileManager.default.removeItem(atPath: dataDirectory)
            try? FileManager.default.removeItem(atPath: file)
        }
        try #"{"storage":{"default":"eu","targets":{"main":"sqlite:/tmp/x","Bad Name":"sqlite:/tmp/y"}}}"#.write(
            toFile: file, atomically: true, encoding: .utf8)
        let badName = try await StartupErrorTests.aerolith(["serve", "--port", "0", "--data-dir", dataDirectory, "--config", file])
        #expect(
            badName.status != 0 && badName.stderr.contains("storage in \(file)") && badName.stderr.contains("\"Bad Name\""),
            "\(badName.stderr)")

        try #"{"storage":{"default":"eu","targets":{"main":"sqlite:/tmp/x"}}}"#.write(toFile: file, atomically: true, encoding: .utf8)
        let missing = try await StartupErrorTests.aerolith(["serve", "--port", "0", "--data-dir", dataDirectory, "--config", file])
        #expect(
            missing.status != 0 && missing.stderr.contains("storage.default \"eu\" is not one of storage.targets (main)"),
            "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dataDirectory))
    }
}
