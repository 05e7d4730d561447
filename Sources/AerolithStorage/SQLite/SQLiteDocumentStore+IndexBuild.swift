import Synchronization

/// Whether a task is clearing retired tables, so that at most one does.
final class RetiredTableClearing: Sendable {
    private struct State {
        var running = false
        var requestedAgain = false
    }

    private let state = Mutex(State())

    /// True when the caller is to clear; false when a running clearer will look again.
    func begin() -> Bool {
        state.withLock { state in
            if state.running {
                state.requestedAgain = true
                return false
            }
            state.running = true
            return true
        }
    }

    /// True when the clearer may stop; false when work was queued meanwhile.
    func finish() -> Bool {
        state.withLock { state in
            if state.requestedAgain {
                state.requestedAgain = false
                return false
            }
            state.running = false
            return true
        }
    }
}

extension SQLiteDocumentStore {
    /// Runs the rest of a build in the background, one slice per writer turn, each turn queued
    /// behind the writes already waiting.
    func continueIndexBuild(_ build: IndexBuild.Progress) {
        Task.detached { await self.runIndexBuild(build) }
    }

    private func runIndexBuild(_ build: IndexBuild.Progress) async {
        let catalog = self.catalog
        while true {
            do throws(StorageError) {
                switch try await writer.write({ connection throws(StorageError) in
                    try IndexBuild.step(build.table, catalog: catalog, on: connection)
                }) {
                case .copied:
                    continue
                case .switched:
                    logger.info("index built", metadata: ["table": "\(build.shadow)", "index": "\(build.indexName)"])
                    clearRetiredTables()
                    return
                case .gone:
                    return
                }
            } catch {
                // A switch whose transaction then failed must not leave the catalog on the copy.
                catalog.didReplaceTable(build.shadow, with: build.table)
                logger.warning(
                    "index build failed", metadata: ["table": "\(build.table)", "index": "\(build.indexName)", "error": "\(error)"])
                _ = try? await writer.write { connection throws(StorageError) in
                    try IndexBuild.abandon(build.table, failure: error.message, on: connection)
                }
                clearRetiredTables()
                return
            }
        }
    }

    /// Clears retired tables (replaced by a rebuilt one, or an abandoned copy) in bounded writer
    /// turns, each after its grace period.
    func clearRetiredTables() {
        guard retiredClearing.begin() else { return }
        Task.detached {
            repeat {
                while true {
                    let outcome = try? await self.writer.write { connection throws(StorageError) in
                        try IndexBuild.clearRetiredSlice(on: connection)
                    }
                    guard let outcome else { break }
                    if case .waitMilliseconds(let wait) = outcome {
                        try? await Task.sleep(for: .milliseconds(wait))
                    } else if case .idle = outcome {
                        break
                    }
                }
            } while !self.retiredClearing.finish()
        }
    }

    /// Picks up, on open, the builds and clearing a stopped process left unfinished.
    func resumeBackgroundWork(builds: [IndexBuild.Progress], retiredTables: Int) {
        for build in builds { continueIndexBuild(build) }
        if retiredTables > 0 { clearRetiredTables() }
    }

    /// What `resumeBackgroundWork` needs, read on the writer connection before it is shared;
    /// also adds the index state columns to a catalog made before they existed.
    static func unfinishedBackgroundWork(on connection: SQLiteConnection) throws(StorageError) -> (
        builds: [IndexBuild.Progress], retiredTables: Int
    ) {
        let columns = try connection.statement("SELECT count(*) FROM pragma_table_info('_aerolith_indexes') WHERE name = 'state'")
        _ = try columns.step()
        let hasState = columns.int64(at: 0) > 0
        try columns.run()
        if !hasState {
            try connection.execute(
                """
                ALTER TABLE _aerolith_indexes ADD COLUMN state TEXT NOT NULL DEFAULT 'ready';
                ALTER TABLE _aerolith_indexes ADD COLUMN failure TEXT;
                """)
        }
        let select = try connection.statement("SELECT table_name, shadow_table, index_name, copied_through FROM _aerolith_index_builds")
        var builds: [IndexBuild.Progress] = []
        while try select.step() {
            builds.append(
                IndexBuild.Progress(
                    table: select.string(at: 0), shadow: select.string(at: 1), indexName: select.string(at: 2),
                    copiedThrough: select.int64(at: 3)))
        }
        let retired = try connection.statement("SELECT count(*) FROM _aerolith_retired_tables")
        _ = try retired.step()
        let retiredTables = Int(retired.int64(at: 0))
        try retired.run()
        return (builds, retiredTables)
    }
}
