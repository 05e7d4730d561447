import CAerolithPlugin

/// What this host offers plugins: its ABI version, layout fingerprint, capabilities and the
/// host API table (policy 5 of the header: a plugin registers only what is listed here).
enum HostInterface {
    static let abiMajor = UInt16(AEROLITH_ABI_VERSION_MAJOR)
    static let abiMinor = UInt16(AEROLITH_ABI_VERSION_MINOR)
    /// Every hook kind of ABI 1.0 is dispatched (`AEROLITH_HOOK_KIND_BIT`).
    static let supportedHookKinds: UInt64 = HookKind.allCases.reduce(0) { $0 | $1.bit }
    /// Host functions implemented in `apiTable`: bit i is slot i (`AEROLITH_HOST_FUNCTION_*`,
    /// macros Swift does not import). All ten slots of 1.0.
    static let hostFunctionSlotCount = 10
    static let implementedHostFunctions: UInt64 = (1 << UInt64(hostFunctionSlotCount)) - 1

    /// The fingerprint of this host's data layout, computed as `AEROLITH_LAYOUT_INIT` would.
    static let layout: aerolith_layout = {
        var layout = aerolith_layout()
        layout.pointer_bytes = UInt8(MemoryLayout<UnsafeRawPointer>.size)
        layout.size_bytes = UInt8(MemoryLayout<Int>.size)
        layout.function_pointer_bytes = UInt8(MemoryLayout<@convention(c) () -> Void>.size)
        layout.int64_align_bytes = UInt8(MemoryLayout<Int64>.alignment)
        layout.double_align_bytes = UInt8(MemoryLayout<Double>.alignment)
        layout.byte_order = UInt8(1.littleEndian == 1 ? AEROLITH_BYTE_ORDER_LITTLE : AEROLITH_BYTE_ORDER_BIG)
        return layout
    }()

    /// The one host API table of the process.
    nonisolated(unsafe) static let apiTable: UnsafeMutablePointer<aerolith_host_api> = {
        // nonisolated(unsafe): written once here, before any plugin can see it; read-only after.
        // Allocated once and never freed: plugins keep the pointer until they are unloaded.
        let table = UnsafeMutablePointer<aerolith_host_api>.allocate(capacity: 1)
        table.initialize(to: aerolith_host_api())
        table.pointee.struct_size = UInt32(MemoryLayout<aerolith_host_api>.size)
        table.pointee.buffer_append = hostBufferAppend
        table.pointee.log = hostLog
        table.pointee.metric_counter_add = hostMetricCounterAdd
        table.pointee.metric_gauge_set = hostMetricGaugeSet
        table.pointee.metric_histogram_record = hostMetricHistogramRecord
        table.pointee.state_get = hostStateGet
        table.pointee.state_put = hostStatePut
        table.pointee.state_delete = hostStateDelete
        table.pointee.state_list = hostStateList
        table.pointee.event_subscription_set = hostEventSubscriptionSet
        return table
    }()

    /// The fields of the plugin's layout fingerprint that differ from the host's, described.
    static func layoutDifferences(_ plugin: aerolith_layout) -> [String] {
        let host = layout
        let fields: [(String, UInt8, UInt8)] = [
            ("pointer_bytes", plugin.pointer_bytes, host.pointer_bytes),
            ("size_bytes", plugin.size_bytes, host.size_bytes),
            ("function_pointer_bytes", plugin.function_pointer_bytes, host.function_pointer_bytes),
            ("int64_align_bytes", plugin.int64_align_bytes, host.int64_align_bytes),
            ("double_align_bytes", plugin.double_align_bytes, host.double_align_bytes),
            ("byte_order", plugin.byte_order, host.byte_order),
        ]
        return fields.filter { $0.1 != $0.2 }.map { "\($0.0): plugin \($0.1), host \($0.2)" }
    }
}
