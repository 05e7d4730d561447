import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) struct DurabilityTests {
    /// Every write the server acknowledged survives SIGKILL of the server process.
    @Test func acknowledgedWritesSurviveSIGKILL() async throws {
        let server = try await ServerProcess()
        let tenant = try await TenantFixture.make(server: server)
        _ = try await tenant.send(.POST, "/v1/collections", body: #"{"name":"ledger"}"#)
        let writeCount = 200
        let acknowledged = try await withThrowingTaskGroup(of: String?.self) { group in
            for index in 0..<writeCount {
                group.addTask {
                    let reply = try await tenant.send(
                        .PUT, "/v1/collections/ledger/documents/entry-\(index)", body: #"{"amount":\#(index)}"#)
                    return reply.status == 201 ? "entry-\(index)" : nil
                }
            }
            var ids: [String] = []
            for try await id in group { if let id { ids.append(id) } }
            return ids
        }
        #expect(acknowledged.count == writeCount)
        #expect(server.stop(signal: SIGKILL) != 0)
        try await server.start()
        for id in acknowledged {
            let reply = try await tenant.send(.GET, "/v1/collections/ledger/documents/\(id)")
            #expect(reply.status == 200, "\(id) was acknowledged but is gone")
        }
        let info = try await tenant.send(.GET, "/v1/collections/ledger")
        #expect(info.json["document_count"] as? Int == writeCount)
    }

    @Test func gracefulShutdownOnSIGTERM() async throws {
        let server = try await ServerProcess()
        #expect(server.stop(signal: SIGTERM) == 0)
        #expect(server.log.contains("stopped"))
    }
}
