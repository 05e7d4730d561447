import Foundation
import Testing

@Suite(.serialized) struct BootstrapTests {
    @Test func adminKeyIsCreatedOnceWithMode0600() async throws {
        let server = try await ServerProcess()
        let path = server.dataDirectory + "/admin.key"
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let key = try server.adminKey
        #expect(!server.log.contains(key))
        #expect(try await HTTP.send(.GET, server.baseURL + "/v1/tenants", key: key).status == 200)
        server.stop()
        try await server.start()
        #expect(try server.adminKey == key)
        #expect(try await HTTP.send(.GET, server.baseURL + "/v1/tenants", key: key).status == 200)
    }

    @Test func operatorCanSupplyTheAdminKey() async throws {
        let keyFile = NSTemporaryDirectory() + "aerolith-admin-\(UUID().uuidString).key"
        let secret = "operator-chosen-admin-key-0123456789"
        try (secret + "\n").write(toFile: keyFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: keyFile) }
        let server = try await ServerProcess(arguments: ["--admin-key-file", keyFile])
        #expect(!FileManager.default.fileExists(atPath: server.dataDirectory + "/admin.key"))
        #expect(try await HTTP.send(.GET, server.baseURL + "/v1/tenants", key: secret).status == 200)
    }

    /// Supplying a new key file rotates the admin key: the old key stops working.
    @Test func supplyingAKeyRevokesTheOthers() async throws {
        let server = try await ServerProcess()
        let generated = try server.adminKey
        let keyFile = NSTemporaryDirectory() + "aerolith-rotate-\(UUID().uuidString).key"
        let secret = "rotated-admin-key-abcdefghijklmnop"
        try secret.write(toFile: keyFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: keyFile) }
        server.stop()
        try await server.start(arguments: ["--admin-key-file", keyFile])
        #expect(try await HTTP.send(.GET, server.baseURL + "/v1/tenants", key: secret).status == 200)
        #expect(try await HTTP.send(.GET, server.baseURL + "/v1/tenants", key: generated).status == 401)
        #expect(!FileManager.default.fileExists(atPath: server.dataDirectory + "/admin.key"))
        server.stop()
        try await server.start()
        #expect(try await HTTP.send(.GET, server.baseURL + "/v1/tenants", key: secret).status == 200)
        #expect(!FileManager.default.fileExists(atPath: server.dataDirectory + "/admin.key"))
    }
}
