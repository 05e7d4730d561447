import AerolithPluginKit

/// Stamps every document written in an active tenant with "greeted_by": "hello-swift", and
/// refuses documents whose "greeting" is not a string.
let helloSwift = Plugin(
    name: "hello-swift", version: "1.0.0", description: "stamps documents with greeted_by", buildID: "example",
    hooks: [
        Hook(
            "stamp",
            .beforeWrite { _, write in
                guard write.operation != .delete, write.body.hasPrefix("{") else { return .accept }
                if write.body.contains(#""greeting":"#), !write.body.contains(#""greeting":""#) {
                    return .reject(code: "greeting_not_text", message: "\"greeting\" must be a string")
                }
                // The body is one JSON object; add a member in front of the others.
                let rest = write.body.dropFirst()
                return .transform(#"{"greeted_by":"hello-swift""# + (rest.hasPrefix("}") ? "" : ",") + rest)
            })
    ],
    onLoad: { call in call.host.log(.info, "hello-swift loaded") }
)

@_cdecl("aerolith_plugin_init")
public func aerolithPluginInit(_ host: UnsafeRawPointer?, _ descriptorOut: UnsafeMutableRawPointer?) -> Int32 {
    AerolithPluginKit.initialize(helloSwift, host: host, descriptorOut: descriptorOut)
}
