import AerolithServer
import Foundation
import Logging

/// `aerolith-bench [storage|http|hooks|auth|fairness|index|postgres|all]`: prints throughput figures and their ratios against a
/// baseline measured in the same run. Build with `-c release`; debug figures mean little.
@main
struct BenchmarkMain {
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let mode = arguments.first ?? "all"
        // The same log handler as `aerolith serve`, so the server measured is the one deployed.
        LoggingSystem.bootstrap { label in AerolithLogHandler(label: label, logLevel: .error) }
        do {
            switch mode {
            case "storage": try await StorageBenchmark.run()
            case "http": try await HTTPBenchmark.run()
            case "hooks": try await HookDispatchBenchmark.run()
            case "auth": try await AuthBenchmark.run()
            case "fairness": try await FairnessBenchmark.run()
            case "index": try await IndexBuildBenchmark.run()
            case "postgres": try await PostgresBenchmark.run()
            case "all":
                try await StorageBenchmark.run()
                try await HTTPBenchmark.run()
                try await HookDispatchBenchmark.run()
                try await AuthBenchmark.run()
                try await FairnessBenchmark.run()
                try await IndexBuildBenchmark.run()
            default:
                print("usage: aerolith-bench [storage|http|hooks|auth|fairness|index|postgres|all]")
                exit(2)
            }
        } catch {
            print("benchmark failed: \(error)")
            exit(1)
        }
    }
}

/// Times `body` and returns operations per second.
func measure(operations: Int, _ body: () async throws -> Void) async rethrows -> Double {
    let start = ContinuousClock.now
    try await body()
    return Double(operations) / (nanoseconds(since: start) / 1e9)
}

/// Nanoseconds from `start` to now.
func nanoseconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
}

/// A fraction as a percentage with two decimals.
func percent(_ fraction: Double) -> String { String(format: "%.2f%%", fraction * 100) }

func format(_ value: Double) -> String { String(format: "%10.0f", value) }

func temporaryDirectory(_ label: String) throws -> String {
    let path = NSTemporaryDirectory() + "aerolith-bench-\(label)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
