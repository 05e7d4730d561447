import Logging
import Synchronization

/// Every plugin file the kernel has seen, loaded or refused, in discovery order.
///
/// Guarantees: one file (device and inode) is loaded at most once however many paths reach it;
/// two loaded plugins never share a name; a refused file is listed with its reason and never
/// affects the server or other plugins.
public final class PluginRegistry: Sendable {
    public struct Entry: Sendable {
        public enum State: Sendable {
            case loaded(LoadedPlugin)
            case refused(PluginRefusal)
        }

        public let path: String
        public let state: State

        public var plugin: LoadedPlugin? {
            if case .loaded(let plugin) = state { return plugin }
            return nil
        }
    }

    private struct State {
        var entries: [Entry] = []
        var seen: Set<PluginFile.Identity> = []
    }

    public let directories: PluginDirectories
    private let logger: Logger
    private let state = Mutex(State())
    /// Held around every call into a plugin that is not reentrant.
    private let serialisedCalls = Mutex(())

    public init(directories: PluginDirectories, logger: Logger) {
        self.directories = directories
        self.logger = logger
    }

    /// Looks at every candidate file once and loads the new ones. Returns the new entries.
    @discardableResult
    public func scan() -> [Entry] {
        var added: [Entry] = []
        for path in directories.candidateFiles() {
            let file: PluginFile
            switch PluginFile.inspect(path) {
            case .success(let inspected): file = inspected
            case .failure(let refusal):
                added.append(record(Entry(path: path, state: .refused(refusal))))
                continue
            }
            let isNew = state.withLock { $0.seen.insert(file.identity).inserted }
            guard isNew else { continue }
            switch PluginLoader.load(file) {
            case .failure(let refusal):
                added.append(record(Entry(path: path, state: .refused(refusal))))
            case .success(let plugin):
                let duplicate = state.withLock { state in state.entries.contains { $0.plugin?.name == plugin.name } }
                added.append(record(Entry(path: path, state: duplicate ? .refused(.duplicateName(plugin.name)) : .loaded(plugin))))
            }
        }
        return added
    }

    private func record(_ entry: Entry) -> Entry {
        state.withLock { state in
            // A file refused before its identity was known is listed once per path.
            state.entries.removeAll { $0.path == entry.path && $0.plugin == nil }
            state.entries.append(entry)
        }
        switch entry.state {
        case .loaded(let plugin):
            logger.notice("loaded plugin", metadata: ["plugin": "\(plugin.name)", "version": "\(plugin.version)", "file": "\(entry.path)"])
        case .refused(let refusal):
            logger.warning("refused plugin", metadata: ["file": "\(entry.path)", "reason": "\(refusal.code)", "detail": "\(refusal)"])
        }
        return entry
    }

    public var entries: [Entry] { state.withLock { $0.entries } }

    public func entry(named name: String) -> Entry? {
        entries.first { $0.plugin?.name == name }
    }

    /// Calls a loaded plugin's exported function. Calls into a plugin that did not declare
    /// itself reentrant are serialised.
    public func call(plugin name: String, function functionName: String, arguments: [FunctionValue]) throws -> FunctionValue {
        guard let plugin = entry(named: name)?.plugin else { throw PluginCallError.pluginNotFound(name) }
        guard let function = plugin.functions.first(where: { $0.name == functionName }) else {
            throw PluginCallError.functionNotFound(plugin: name, function: functionName)
        }
        let perform = { () throws(FunctionCallError) -> FunctionValue in
            try FunctionCaller.call(address: function.address, signature: function.parsedSignature, arguments: arguments)
        }
        if plugin.reentrant { return try perform() }
        return try serialisedCalls.withLock { _ in try perform() }
    }
}
