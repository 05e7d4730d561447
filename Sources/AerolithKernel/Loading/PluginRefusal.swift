/// Why the kernel refused a plugin file. Every refusal is listed with its plugin, and the server
/// keeps serving: a bad file never takes the process down.
public enum PluginRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file does not start with the ELF magic number.
    case notELF
    /// An ELF file that is not a shared object (an executable, a relocatable object, a core dump).
    case notSharedObject(elfType: UInt16)
    /// An ELF file for another machine word size.
    case wrongClass
    /// The file or its directory is writable by group or others: anyone could swap the code.
    case unsafePermissions(path: String, mode: UInt32)
    /// The file or its directory is not owned by the user the server runs as (or root).
    case wrongOwner(path: String, owner: UInt32)
    /// `dlopen` failed, typically because of unresolved symbols; the loader's own message.
    case loadFailed(message: String)
    /// The file has no `aerolith_plugin_init` symbol.
    case noEntrySymbol
    /// A different ABI major version, or a different data layout; each differing field named.
    case abiMismatch(differences: [String])
    /// `aerolith_plugin_init` (or `on_load`) returned an error; its status and own message.
    case initFailed(status: Int32, message: String)
    /// The descriptor or one of its registrations breaks a rule of the header.
    case invalidDescriptor(String)
    /// A struct larger than this host knows has non-zero bytes past the known part: the plugin
    /// asks for something this host cannot do.
    case nonZeroTail(structName: String, offset: Int)
    /// Another loaded plugin already has this name.
    case duplicateName(String)
    /// The file is shorter than its ELF headers say: typically still being written. The next
    /// scan looks again.
    case incompleteFile(sizeBytes: Int)
    /// The file changed while the loader copied it; the next scan looks again.
    case changedWhileLoading(path: String)

    /// A stable machine-readable code for APIs and logs.
    public var code: String {
        switch self {
        case .notELF: "not_elf"
        case .notSharedObject: "not_shared_object"
        case .wrongClass: "wrong_elf_class"
        case .unsafePermissions: "unsafe_permissions"
        case .wrongOwner: "wrong_owner"
        case .loadFailed: "load_failed"
        case .noEntrySymbol: "no_entry_symbol"
        case .abiMismatch: "abi_mismatch"
        case .initFailed: "init_failed"
        case .invalidDescriptor: "invalid_descriptor"
        case .nonZeroTail: "non_zero_tail"
        case .duplicateName: "duplicate_name"
        case .incompleteFile: "incomplete_file"
        case .changedWhileLoading: "changed_while_loading"
        }
    }

    public var description: String {
        switch self {
        case .notELF: "not an ELF file"
        case .notSharedObject(let type): "an ELF file of type \(type), not a shared object (type 3)"
        case .wrongClass: "an ELF file for another word size than this host's"
        case .unsafePermissions(let path, let mode):
            "\(path) has mode \(String(mode & 0o7777, radix: 8)): it must not be writable by group or others"
        case .wrongOwner(let path, let owner): "\(path) is owned by uid \(owner), not by the server's user or root"
        case .loadFailed(let message): "the dynamic loader refused it: \(message)"
        case .noEntrySymbol: "it exports no aerolith_plugin_init"
        case .abiMismatch(let differences): "incompatible ABI: " + differences.joined(separator: "; ")
        case .initFailed(let status, let message):
            "its initialisation failed with status \(status)" + (message.isEmpty ? "" : ": \(message)")
        case .invalidDescriptor(let problem): "invalid descriptor: \(problem)"
        case .nonZeroTail(let name, let offset):
            "\(name) is larger than this host knows and byte \(offset) of its unknown tail is not zero"
        case .duplicateName(let name): "a plugin named \"\(name)\" is already loaded from another file"
        case .incompleteFile(let size): "the file (\(size) bytes) is shorter than its ELF headers say; is it still being written?"
        case .changedWhileLoading(let path): "\(path) changed while it was being loaded"
        }
    }
}
