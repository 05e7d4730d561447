/// Every limit the HTTP layer enforces, each with its unit in its name.
public enum ServerLimits {
    /// Largest request body read, in bytes; larger bodies get 413 `body_too_large`.
    public static let requestBodyBytesMax = 2 * 1_048_576
    /// Longest accepted `X-Request-ID`, in bytes; longer ones are replaced by a generated id.
    public static let requestIDLengthBytesMax = 128
    /// Longest `Authorization` header considered, in bytes.
    public static let authorizationHeaderLengthBytesMax = 4_096
    /// Shortest metrics token, in bytes: long enough that it cannot be guessed.
    public static let metricsTokenLengthBytesMin = 24
    /// Longest metrics token, in bytes.
    public static let metricsTokenLengthBytesMax = 256
    /// Most tenants on one page of `GET /v1/tenants`.
    public static let tenantPageSizeDefault = 100
}
