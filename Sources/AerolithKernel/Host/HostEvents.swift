import CAerolithPlugin

/// `aerolith_host_api.event_subscription_set`: changes one events registration's subscription.
let hostEventSubscriptionSet: @convention(c) (OpaquePointer?, aerolith_slice, UInt64, UInt32) -> aerolith_status = {
    context, hookName, mask, version in
    guard let plugin = CallContext.from(context)?.pointee.plugin else { return aerolith_status(AEROLITH_ERR_INVALID_STATE) }
    guard mask & ~EventKind.allBits == 0, mask == 0 || version >= 1 else { return aerolith_status(AEROLITH_ERR_INVALID_ARGUMENT) }
    let name = SliceText.string(hookName)
    let found = plugin.subscriptions.withLock { subscriptions -> Bool in
        guard subscriptions[name] != nil else { return false }
        subscriptions[name] = PluginInstance.EventSubscription(mask: mask, payloadVersion: max(version, 1))
        return true
    }
    return found ? aerolith_status(AEROLITH_OK) : aerolith_status(AEROLITH_ERR_NOT_FOUND)
}
