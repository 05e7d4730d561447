import AerolithJSON
import Testing

@Suite struct JSONTests {
    @Test func roundTripsKeyOrderAndNumberText() throws {
        let text = #"{"b":1,"a":[true,false,null],"n":12345678901234567890,"d":0.1000,"e":-1.5E+3,"s":"h\u00e9\"\\\n"}"#
        let value = try JSONParser.parse(text)
        #expect(
            JSONWriter.string(value) == #"{"b":1,"a":[true,false,null],"n":12345678901234567890,"d":0.1000,"e":-1.5E+3,"s":"hé\"\\\n"}"#)
    }

    @Test(arguments: [
        "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "01", "1.", ".5", "+1", "NaN", "Infinity", "tru", "nul",
        "\"unterminated", "\"bad \\x escape\"", "\"\u{01}\"", "{\"a\":1} x", "/* c */ 1", "{'a':1}", "\"\\ud800\"", "\"\\udc00x\"",
        "{\"a\":1,\"a\":2}", "1e999",
    ])
    func rejectsInvalid(_ text: String) {
        #expect(throws: JSONError.self) { try JSONParser.parse(text) }
    }

    @Test func rejectsInvalidUTF8() {
        let bytes: [UInt8] = [0x22, 0xC3, 0x28, 0x22]
        #expect(throws: JSONError.self) {
            try bytes.withUnsafeBytes { try JSONParser.parse($0, limits: .standard) }
        }
    }

    /// Keys are their bytes: "é" as U+00E9 and as "e" + U+0301 are canonically equivalent
    /// strings, but two distinct keys.
    @Test func keysAreComparedByTheirBytes() throws {
        let composed = "\u{00E9}"
        let decomposed = "e\u{0301}"
        #expect(composed == decomposed) // what Swift's String == says, and why keys must not use it
        let text = #"{"\#(composed)":1,"\#(decomposed)":2}"#
        guard case .object(let object) = try JSONParser.parse(text) else {
            Issue.record("not an object")
            return
        }
        #expect(object.count == 2)
        #expect(object[composed] == .integer(1) && object[decomposed] == .integer(2))
        #expect(Array(JSONWriter.string(.object(object)).utf8) == Array(text.utf8))
        var changed = object
        changed.set(decomposed, .integer(3))
        #expect(changed[composed] == .integer(1) && changed[decomposed] == .integer(3) && changed.count == 2)
        #expect(changed != object)
        changed.remove(composed)
        #expect(changed.members.map(\.key).map { Array($0.utf8) } == [Array(decomposed.utf8)])
        let patched = MergePatch.apply(try JSONParser.parse(#"{"\#(decomposed)":null}"#), to: .object(object))
        #expect(Array(JSONWriter.string(patched).utf8) == Array(#"{"\#(composed)":1}"#.utf8))
        // The very same bytes twice are still a duplicate.
        #expect(throws: JSONError.self) { try JSONParser.parse(#"{"\#(composed)":1,"\#(composed)":2}"#) }
    }

    @Test func decodesSurrogatePairs() throws {
        #expect(try JSONParser.parse(#""\ud83d\ude00""#) == .string("😀"))
    }

    @Test func enforcesDepthAndSize() throws {
        let limits = JSONLimits(depthMax: 3, sizeBytesMax: 32)
        #expect(try JSONParser.parse("[[[1]]]", limits: limits) == .array([.array([.array([.integer(1)])])]))
        do {
            _ = try JSONParser.parse("[[[[1]]]]", limits: limits)
            Issue.record("accepted depth 4")
        } catch { #expect(error.code == .tooDeep) }
        do {
            _ = try JSONParser.parse(String(repeating: " ", count: 40) + "1", limits: limits)
            Issue.record("accepted 41 bytes")
        } catch { #expect(error.code == .tooLarge) }
        // Deep input far past the limit fails fast instead of overflowing the stack.
        let hostile = String(repeating: "[", count: 200_000)
        #expect(throws: JSONError.self) { try JSONParser.parse(hostile, limits: JSONLimits(depthMax: 32, sizeBytesMax: 1 << 20)) }
    }

    /// The examples of RFC 7396, appendix A.
    @Test(arguments: [
        (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
        (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
        (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
        (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
        (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
        (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
        (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
        (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
        (#"{"a":"foo"}"#, "null", "null"),
        (#"{"a":"foo"}"#, #""bar""#, #""bar""#),
        (#"{"e":null}"#, #"{"a":1}"#, #"{"e":null,"a":1}"#),
        ("[1,2]", #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
        ("{}", #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
    ])
    func mergePatch(_ target: String, _ patch: String, _ expected: String) throws {
        let result = MergePatch.apply(try JSONParser.parse(patch), to: try JSONParser.parse(target))
        #expect(result == (try JSONParser.parse(expected)))
    }
}
