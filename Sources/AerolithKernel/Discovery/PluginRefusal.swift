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
        }
    }
}
