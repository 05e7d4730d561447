import Foundation
import NIOHTTP1
import Testing

/// Object keys are their bytes, over HTTP as in storage.
@Suite struct DocumentKeyTests {
    @Test func canonicallyEquivalentKeysAreTwoKeys() async throws {
        let server = try await ServerProcess()
        let tenant = try await TenantFixture.make(server: server)
        #expect(try await tenant.send(.POST, "/v1/collections", body: #"{"name":"names"}"#).status == 201)
        let composed = "\u{00E9}"
        let decomposed = "e\u{0301}"
        let created = try await tenant.send(
            .POST, "/v1/collections/names/documents", body: #"{"id":"d1","\#(composed)":"nfc","\#(decomposed)":"nfd"}"#)
        #expect(created.status == 201, "\(created.body)")
        let read = try await tenant.send(.GET, "/v1/collections/names/documents/d1")
        #expect(read.status == 200)
        let body = Array(read.body.utf8)
        for member in [#""\#(composed)":"nfc""#, #""\#(decomposed)":"nfd""#] {
            let bytes = Array(member.utf8)
            #expect(body.indices.contains { body[$0...].starts(with: bytes) }, "\(member) in \(read.body)")
        }
        // A patch of one spelling leaves the other alone.
        let patched = try await tenant.send(.PATCH, "/v1/collections/names/documents/d1", body: #"{"\#(decomposed)":null}"#)
        #expect(patched.status == 200)
        let after = Array(try await tenant.send(.GET, "/v1/collections/names/documents/d1").body.utf8)
        #expect(after.indices.contains { after[$0...].starts(with: Array(#""\#(composed)":"nfc""#.utf8)) })
        #expect(!after.indices.contains { after[$0...].starts(with: Array(#""\#(decomposed)":"#.utf8)) })
    }
}
