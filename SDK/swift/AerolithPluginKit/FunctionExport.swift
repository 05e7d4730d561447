import CAerolithPluginABI

/// A plain C function the plugin exports for the host to call by name (the admin API's
/// `POST /v1/plugins/{name}/functions/{fn}`, `aerolith plugin call`). The host calls it
/// through libffi with the arguments `signature` declares, so the function must be a
/// `@convention(c)` closure that captures nothing, of exactly that C type:
///
///     let scale: @convention(c) (Double, Int64) -> Double = { x, n in x * Double(n) }
///     FunctionExport("scale", signature: "f64(f64,i64)", description: "x times n", scale)
///
/// Signature grammar (the header's):
/// `type(type,...)` with `i32 i64 u32 u64 f32 f64 bool` and `void` as a return type only;
/// Swift `Int32 Int64 UInt32 UInt64 Float Double Bool`. It runs with no context: it cannot
/// call host functions and must not throw or trap.
public struct FunctionExport: Sendable {
    public let name: String
    public let signature: String
    public let description: String
    /// The function's address (a C function pointer is a plain address: Sendable as an integer).
    let address: UInt

    /// `function` must be a `@convention(c)` function whose C type `signature` describes; a
    /// value of any other type traps here, at initialisation, not in the host.
    public init<Function>(_ name: String, signature: String, description: String = "", _ function: Function) {
        precondition(
            MemoryLayout<Function>.size == MemoryLayout<UnsafeRawPointer>.size && "\(Function.self)".contains("@convention(c)"),
            "FunctionExport \(name): pass a @convention(c) function, not \(Function.self)")
        self.name = name
        self.signature = signature
        self.description = description
        address = unsafeBitCast(function, to: UInt.self)
    }
}
