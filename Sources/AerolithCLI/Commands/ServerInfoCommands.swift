import AerolithJSON
import ArgumentParser
import Foundation

/// The tenant's stored usage: GET /v1/usage.
struct UsageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usage",
        abstract: "Show the tenant's stored usage (collections, documents, bytes) and its price if one is configured (needs usage:read)."
    )
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await runClient {
            let reply = try await options.client().send(.GET, "/v1/usage")
            options.output(reply.body) { usage in
                let price = usage.objectValue?["price"]
                let priced =
                    price?.objectValue == nil ? "-" : "\(Table.text(price, "amount_minor_units")) (\(Table.text(price, "function")))"
                return Table.render(
                    ["COLLECTIONS", "DOCUMENTS", "STORAGE BYTES", "PRICE (MINOR UNITS)"],
                    [
                        [
                            Table.text(usage, "collections"), Table.text(usage, "documents"), Table.text(usage, "storage_bytes"), priced,
                        ]
                    ])
            }
        }
    }
}

/// The open probes: GET /health/live and /health/ready.
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health", abstract: "Ask whether the server is alive and ready (no credential needed); exits 1 when it is not ready."
    )
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await runClient {
            let client = try options.anonymousClient()
            let live = try await client.send(.GET, "/health/live")
            let ready = try await client.send(.GET, "/health/ready")
            options.output(
                .object(
                    JSONObject(members: [
                        .init(key: "live", value: live.body ?? .null), .init(key: "ready", value: ready.body ?? .null),
                    ]))
            ) { _ in "\(client.baseURL): live (\(Table.text(live.body, "status"))), ready (\(Table.text(ready.body, "status")))" }
        }
    }
}

/// GET /openapi.json, the API's description generated from the route table.
struct OpenAPICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openapi", abstract: "Print the server's OpenAPI 3.1 document (no credential needed)."
    )
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await runClient {
            let reply = try await options.anonymousClient().send(.GET, "/openapi.json")
            FileHandle.standardOutput.write(Data(reply.bytes))
            if reply.bytes.last != UInt8(ascii: "\n") { print("") }
        }
    }
}

/// GET /metrics with the metrics token (never an API key: see the server's MetricsAccess).
struct MetricsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics", abstract: "Print the server's Prometheus metrics (needs the metrics token the server was started with)."
    )
    @Option(help: "The metrics token (env AEROLITH_METRICS_TOKEN).") var metricsToken: String?
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await runClient {
            guard let token = metricsToken ?? ProcessInfo.processInfo.environment["AEROLITH_METRICS_TOKEN"], !token.isEmpty else {
                throw CLIError(.missingKey, "give the metrics token with --metrics-token or AEROLITH_METRICS_TOKEN")
            }
            let client = try options.anonymousClient()
            let reply = try await client.sendOnce(.GET, "/metrics", body: nil, headers: [], token: token)
            FileHandle.standardOutput.write(Data(reply.bytes))
        }
    }
}
