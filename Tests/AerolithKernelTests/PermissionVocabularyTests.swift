import AerolithPermissions
import Foundation
import Testing

/// The plugin header names the same permissions as the host: one vocabulary, two spellings of
/// it (C macros and the Swift enum), held equal here.
@Suite struct PermissionVocabularyTests {
    static let header = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("SDK/include/aerolith_plugin.h")

    @Test func theHeaderDefinesEveryPermissionAndNoOther() throws {
        let text = try String(contentsOf: Self.header, encoding: .utf8)
        let definition = try Regex(#"#define AEROLITH_PERMISSION_([A-Z_]+) "([^"]*)""#)
        var names: [String: String] = [:]
        for match in text.matches(of: definition) {
            names[String(match.output[1].substring ?? "")] = String(match.output[2].substring ?? "")
        }
        #expect(Set(names.values) == Set(Permission.allCases.map(\.rawValue)), "\(names)")
        #expect(names.count == Permission.allCases.count, "a permission is defined twice: \(names)")
        // The macro is the raw value spelled in capitals: documents:read → DOCUMENTS_READ.
        for (macro, name) in names {
            #expect(macro == name.uppercased().replacingOccurrences(of: ":", with: "_"), "\(macro) = \(name)")
        }
    }
}
