import CFFI

/// A value passed to or returned from a plugin's exported function.
public enum FunctionValue: Sendable, Equatable {
    case integer(Int64)
    case unsigned(UInt64)
    case real(Double)
    case bool(Bool)
    case void
}

/// Why an exported function could not be called with the given arguments.
public struct FunctionCallError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
}

/// Calls a plugin's exported C function through libffi, with the argument and return types its
/// signature string declares (`"i64(i64,f64)"`), checking every argument against its type.
enum FunctionCaller {
    static func call(address: UInt, signature: FunctionSignature, arguments: [FunctionValue]) throws(FunctionCallError) -> FunctionValue {
        guard arguments.count == signature.argumentTypes.count else {
            throw FunctionCallError(description: "the function takes \(signature.argumentTypes.count) arguments, not \(arguments.count)")
        }
        guard let function = UnsafeRawPointer(bitPattern: address) else {
            throw FunctionCallError(description: "the function has no address")
        }
        // One 8-byte slot per argument, written in the argument's C type.
        let slots = UnsafeMutableRawPointer.allocate(byteCount: 8 * max(1, arguments.count), alignment: 8)
        defer { slots.deallocate() }
        var types: [UnsafeMutablePointer<ffi_type>?] = []
        var values: [UnsafeMutableRawPointer?] = []
        for (index, (type, argument)) in zip(signature.argumentTypes, arguments).enumerated() {
            let slot = slots + 8 * index
            try store(argument, as: type, at: slot, position: index)
            types.append(ffiType(type))
            values.append(slot)
        }
        // libffi widens integer returns to a full ffi_arg; 16 bytes hold any return of the grammar.
        let result = UnsafeMutableRawPointer.allocate(byteCount: 16, alignment: 16)
        defer { result.deallocate() }
        result.initializeMemory(as: UInt8.self, repeating: 0, count: 16)
        // The prepared cif points into the argument-type array, so preparing and calling share
        // one scope in which that array's storage is pinned.
        let prepared = types.withUnsafeMutableBufferPointer { typeBuffer in
            values.withUnsafeMutableBufferPointer { valueBuffer in
                var cif = ffi_cif()
                let status = ffi_prep_cif(
                    &cif, FFI_DEFAULT_ABI, UInt32(arguments.count), ffiType(signature.returnType), typeBuffer.baseAddress)
                guard status == FFI_OK else { return false }
                ffi_call(&cif, unsafeBitCast(function, to: (@convention(c) () -> Void).self), result, valueBuffer.baseAddress)
                return true
            }
        }
        guard prepared else { throw FunctionCallError(description: "libffi cannot describe the signature") }
        switch signature.returnType {
        case .void: return .void
        case .i32: return .integer(Int64(Int32(truncatingIfNeeded: result.load(as: Int64.self))))
        case .i64: return .integer(result.load(as: Int64.self))
        case .u32: return .unsigned(UInt64(UInt32(truncatingIfNeeded: result.load(as: UInt64.self))))
        case .u64: return .unsigned(result.load(as: UInt64.self))
        case .f32: return .real(Double(result.load(as: Float.self)))
        case .f64: return .real(result.load(as: Double.self))
        case .bool: return .bool(result.load(as: UInt8.self) != 0)
        }
    }

    private static func ffiType(_ type: FunctionSignature.ValueType) -> UnsafeMutablePointer<ffi_type>? {
        switch type {
        case .void: aerolith_ffi_type_void()
        case .i32: aerolith_ffi_type_sint32()
        case .i64: aerolith_ffi_type_sint64()
        case .u32: aerolith_ffi_type_uint32()
        case .u64: aerolith_ffi_type_uint64()
        case .f32: aerolith_ffi_type_float()
        case .f64: aerolith_ffi_type_double()
        case .bool: aerolith_ffi_type_uint8()
        }
    }

    private static func store(
        _ value: FunctionValue, as type: FunctionSignature.ValueType, at slot: UnsafeMutableRawPointer,
        position: Int
    ) throws(FunctionCallError) {
        let mismatch = FunctionCallError(description: "argument \(position + 1) does not fit the type \(type.rawValue)")
        switch (type, value) {
        case (.i32, .integer(let integer)):
            guard let narrow = Int32(exactly: integer) else { throw mismatch }
            slot.storeBytes(of: narrow, as: Int32.self)
        case (.i64, .integer(let integer)): slot.storeBytes(of: integer, as: Int64.self)
        case (.i64, .unsigned(let unsigned)):
            guard let signed = Int64(exactly: unsigned) else { throw mismatch }
            slot.storeBytes(of: signed, as: Int64.self)
        case (.u32, .integer(let integer)):
            guard let narrow = UInt32(exactly: integer) else { throw mismatch }
            slot.storeBytes(of: narrow, as: UInt32.self)
        case (.u32, .unsigned(let unsigned)):
            guard let narrow = UInt32(exactly: unsigned) else { throw mismatch }
            slot.storeBytes(of: narrow, as: UInt32.self)
        case (.u64, .integer(let integer)):
            guard let wide = UInt64(exactly: integer) else { throw mismatch }
            slot.storeBytes(of: wide, as: UInt64.self)
        case (.u64, .unsigned(let unsigned)): slot.storeBytes(of: unsigned, as: UInt64.self)
        case (.f32, .real(let real)): slot.storeBytes(of: Float(real), as: Float.self)
        case (.f32, .integer(let integer)): slot.storeBytes(of: Float(integer), as: Float.self)
        case (.f64, .real(let real)): slot.storeBytes(of: real, as: Double.self)
        case (.f64, .integer(let integer)): slot.storeBytes(of: Double(integer), as: Double.self)
        case (.bool, .bool(let flag)): slot.storeBytes(of: flag ? 1 : 0, as: UInt8.self)
        default: throw mismatch
        }
    }
}

/// Why the registry could not route a function call.
