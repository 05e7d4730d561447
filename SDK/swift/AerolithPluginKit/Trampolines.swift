import CAerolithPluginABI

/// The C functions the host calls; each finds its Swift function through the user data.
enum Trampolines {
    static let authorize: aerolith_authorize_fn = { userData, call, request, result in
        guard case .authorize(let body)? = HookBox.from(userData), let request, let result else { return Boundary.invalid }
        return Boundary.run(call) { call in
            let r = request.pointee
            let input = AuthorizeRequest(
                method: Slices.string(r.method), path: Slices.string(r.path), permission: Slices.string(r.permission),
                subject: Slices.string(r.subject), role: Slices.string(r.role), collection: Slices.string(r.collection))
            if case .deny(let reason) = try body(call, input) {
                result.pointee.decision = UInt32(AEROLITH_AUTHORIZE_DENY)
                Boundary.write(reason, to: call.raw.pointee.message)
            }
        }
    }

    static func write(_ pointer: UnsafePointer<aerolith_document_write>) -> DocumentWrite {
        let w = pointer.pointee
        return DocumentWrite(
            operation: DocumentWrite.Operation(rawValue: w.operation) ?? .create, collection: Slices.string(w.collection),
            documentID: Slices.string(w.document_id), body: Slices.string(w.body),
            previousVersion: w.previous_version, version: w.version)
    }

    static let beforeWrite: aerolith_before_write_fn = { userData, call, write, result in
        guard case .beforeWrite(let body)? = HookBox.from(userData), let write, let result else { return Boundary.invalid }
        return Boundary.run(call) { call in
            switch try body(call, Trampolines.write(write)) {
            case .accept: break
            case .transform(let text):
                try Boundary.append(Array(text.utf8), to: result.pointee.body)
                result.pointee.action = UInt32(AEROLITH_WRITE_TRANSFORM)
            case .reject(let code, let message):
                result.pointee.action = UInt32(AEROLITH_WRITE_REJECT)
                // A StaticString lives in the image's constant data: valid until unload, as the header asks.
                result.pointee.reject_code = aerolith_slice(
                    data: UnsafeRawPointer(code.utf8Start).assumingMemoryBound(to: CChar.self),
                    len: code.utf8CodeUnitCount)
                Boundary.write(message, to: call.raw.pointee.message)
            }
        }
    }

    static let afterWrite: aerolith_after_write_fn = { userData, call, write in
        guard case .afterWrite(let body)? = HookBox.from(userData), let write else { return Boundary.invalid }
        return Boundary.run(call) { call in try body(call, Trampolines.write(write)) }
    }

    static let events: aerolith_events_fn = { userData, call, events, count in
        guard case .events(_, let body)? = HookBox.from(userData), count == 0 || events != nil else { return Boundary.invalid }
        return Boundary.run(call) { call in
            let batch = (0..<count).map { index -> Event in
                let e = events![index]
                return Event(
                    kind: EventKinds(rawValue: e.kind), payloadVersion: e.payload_version, sequence: e.sequence,
                    timeMilliseconds: e.time_ms, payload: Slices.string(e.payload))
            }
            try body(call, batch)
        }
    }

    static let authenticate: aerolith_authenticate_fn = { userData, call, request, result in
        guard case .authenticate(let body)? = HookBox.from(userData), let request, let result else { return Boundary.invalid }
        return Boundary.run(call) { call in
            let r = request.pointee
            let input = AuthenticateRequest(
                scheme: Slices.string(r.scheme), credentials: Slices.string(r.credentials),
                method: Slices.string(r.method), path: Slices.string(r.path), headersJSON: Slices.string(r.headers_json))
            switch try body(call, input) {
            case .pass: break
            case .authenticated(let claims):
                try Boundary.append(Array(claims.utf8), to: result.pointee.claims)
                result.pointee.outcome = UInt32(AEROLITH_AUTHENTICATE_AUTHENTICATED)
            case .rejected(let reason):
                result.pointee.outcome = UInt32(AEROLITH_AUTHENTICATE_REJECTED)
                Boundary.write(reason, to: call.raw.pointee.message)
            }
        }
    }

    static let isolation: aerolith_isolation_fn = { userData, call, request, result in
        guard case .isolation(let body)? = HookBox.from(userData), let request, let result else { return Boundary.invalid }
        return Boundary.run(call) { call in
            let r = request.pointee
            guard let operation = IsolationRequest.Operation(rawValue: r.operation) else {
                throw PluginError(.unsupported, "unknown isolation operation \(r.operation)")
            }
            let input = IsolationRequest(
                operation: operation, tenantJSON: Slices.string(r.tenant_json), database: Slices.string(r.database),
                tablePrefix: Slices.string(r.table_prefix))
            let placement = try body(call, input)
            guard operation != .remove else { return }
            guard let placement else { throw PluginError(.internalError, "the isolation strategy returned no placement") }
            try Boundary.append(Array(placement.database.utf8), to: result.pointee.database)
            try Boundary.append(Array(placement.tablePrefix.utf8), to: result.pointee.table_prefix)
        }
    }

    static let route: aerolith_route_fn = { userData, call, request, response in
        guard case .route(_, _, let body)? = HookBox.from(userData), let request, let response else { return Boundary.invalid }
        return Boundary.run(call) { call in
            let r = request.pointee
            let input = RouteRequest(
                method: Slices.string(r.method), path: Slices.string(r.path), query: Slices.string(r.query),
                headersJSON: Slices.string(r.headers_json), body: Slices.bytes(r.body),
                subject: Slices.string(r.subject), role: Slices.string(r.role))
            let output = try body(call, input)
            response.pointee.http_status = output.status
            try Boundary.append(output.body, to: response.pointee.body)
            if output.contentType != "application/json" {
                try Boundary.append(Array(output.contentType.utf8), to: response.pointee.content_type)
            }
        }
    }

    // MARK: Lifecycle

    static let onLoad: aerolith_load_fn = { userData, call in
        guard let onLoad = PluginBox.from(userData)?.onLoad else { return Boundary.ok }
        return Boundary.run(call) { try onLoad($0) }
    }

    static let onConfigure: aerolith_configure_fn = { userData, call, configuration in
        guard let onConfigure = PluginBox.from(userData)?.onConfigure else { return Boundary.ok }
        return Boundary.run(call) { try onConfigure($0, Slices.string(configuration)) }
    }

    static let onActivate: aerolith_activate_fn = { userData, call, settings, stateOut in
        guard let onActivate = PluginBox.from(userData)?.onActivate, let stateOut else { return Boundary.ok }
        return Boundary.run(call) { call in
            // Retained here, released in onDeactivate.
            stateOut.pointee = try onActivate(call, Slices.string(settings)).map { Unmanaged.passRetained($0).toOpaque() }
        }
    }

    static let onUnload: aerolith_unload_fn = { userData, call in
        guard let onUnload = PluginBox.from(userData)?.onUnload else { return Boundary.ok }
        return Boundary.run(call) { try onUnload($0) }
    }

    static let onDeactivate: aerolith_deactivate_fn = { userData, call in
        let status = Boundary.run(call) { call in try PluginBox.from(userData)?.onDeactivate?(call) }
        if let state = call?.pointee.tenant_state { Unmanaged<AnyObject>.fromOpaque(state).release() }
        return status
    }
}
