import AerolithExecution
import AerolithJSON
import AerolithKernel
import AerolithPlatform
import AerolithStorage
import HTTPTypes
import Hummingbird

/// An RFC 9457 problem: the body of every error response, `application/problem+json`.
///
/// This is the one place where errors of every layer get their HTTP status.
struct Problem: Error, Sendable {
    let status: HTTPResponse.Status
    let code: String
    let detail: String
    /// Sent as `Retry-After`, in seconds.
    var retryAfterSeconds: Int?
    var operationIndex: Int?

    init(status: HTTPResponse.Status, code: String, detail: String, operationIndex: Int? = nil) {
        self.status = status
        self.code = code
        self.detail = detail
        self.operationIndex = operationIndex
    }

    init(_ error: any Error) {
        switch error {
        case let problem as Problem:
            self = problem
        case let error as JSONError:
            self.init(StorageError(error))
        case let error as StorageError:
            self.init(
                status: Self.status(for: error.code), code: error.code.rawValue, detail: error.message, operationIndex: error.operationIndex
            )
            retryAfterSeconds = error.retryAfterSeconds
        case let error as PlatformError:
            self.init(status: Self.status(for: error.code), code: error.code.rawValue, detail: error.message)
            retryAfterSeconds = error.retryAfterSeconds
        case let error as ServerError:
            self.init(status: Self.status(for: error.code), code: error.code.rawValue, detail: error.message)
        case let error as WorkRefused:
            self.init(status: .serviceUnavailable, code: ServerError.Code.overloaded.rawValue, detail: error.description)
            retryAfterSeconds = error.retryAfterSeconds
        case let error as PluginControlError:
            self.init(status: PluginProblem.status(for: error.code), code: error.code.rawValue, detail: error.message)
        case let error as FunctionCallError:
            self.init(status: .badRequest, code: "invalid_arguments", detail: error.description)
        case let error as any HTTPResponseError:
            switch error.status {
            case .notFound: self.init(status: .notFound, code: ServerError.Code.routeNotFound.rawValue, detail: "no such route")
            case .contentTooLarge:
                self.init(
                    status: .contentTooLarge, code: ServerError.Code.bodyTooLarge.rawValue,
                    detail: "the request body exceeds \(ServerLimits.requestBodyBytesMax) bytes")
            default:
                self.init(status: error.status, code: "http_\(error.status.code)", detail: error.status.reasonPhrase)
            }
        default:
            self.init(status: .internalServerError, code: ServerError.Code.internalError.rawValue, detail: "an internal error occurred")
        }
    }

    static func status(for code: StorageError.Code) -> HTTPResponse.Status {
        switch code {
        case .invalidJSON, .jsonTooDeep, .bodyNotObject, .invalidCollectionName, .invalidDocumentID, .invalidIndex,
            .invalidQuery, .invalidFilter, .invalidSort, .invalidLimit, .invalidCursor, .invalidBatch, .batchTooLarge:
            .badRequest
        case .jsonTooLarge: .contentTooLarge
        case .collectionNotFound, .documentNotFound, .indexNotFound: .notFound
        case .collectionExists, .documentExists, .indexExists, .indexLimitReached, .indexBuildInProgress, .uniqueViolation: .conflict
        case .versionConflict: .preconditionFailed
        case .queryTimeout: .unprocessableContent
        case .storageFailure, .invalidStorageConfiguration: .internalServerError
        case .overloaded, .storageUnavailable: .serviceUnavailable
        }
    }

    static func status(for code: PlatformError.Code) -> HTTPResponse.Status {
        switch code {
        case .invalidTenantName, .invalidPlan, .invalidRole, .invalidKeyName, .invalidEmail, .invalidPassword, .invalidDisplayName,
            .invalidStatus, .invalidPermission, .invalidKeyScope, .invalidSlug:
            .badRequest
        case .invalidAdminKey: .internalServerError
        case .tenantNotFound, .keyNotFound, .userNotFound, .sessionNotFound, .roleNotFound: .notFound
        case .keyLimitReached, .emailTaken, .slugTaken, .roleExists, .lastOwner, .concurrentChange, .roleLimitReached, .roleInUse: .conflict
        case .unauthenticated, .invalidCredentials, .tokenExpired, .sessionEnded, .refreshTokenReused: .unauthorized
        case .forbidden, .tenantSuspended, .userSuspended, .signupDisabled, .userRequired: .forbidden
        case .tooManyAttempts: .tooManyRequests
        }
    }

    static func status(for code: ServerError.Code) -> HTTPResponse.Status {
        switch code {
        case .routeNotFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .bodyTooLarge: .contentTooLarge
        case .emptyBody, .invalidHeader, .invalidParameter, .idMismatch: .badRequest
        case .unsupportedMediaType: .unsupportedMediaType
        case .internalError: .internalServerError
        case .overloaded: .serviceUnavailable
        }
    }

    func response(requestID: String) -> Response {
        var object = JSONObject(members: [
            .init(key: "type", value: .string("urn:aerolith:problem:\(code)")),
            .init(key: "title", value: .string(status.reasonPhrase)),
            .init(key: "status", value: .integer(Int64(status.code))),
            .init(key: "code", value: .string(code)),
            .init(key: "detail", value: .string(detail)),
            .init(key: "request_id", value: .string(requestID)),
        ])
        if let operationIndex { object.set("operation_index", .integer(Int64(operationIndex))) }
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"aerolith\"" }
        if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(.object(object)))))
    }
}
