import Foundation

/// A tenant's human name for machines: unique, chosen at creation, never changed, accepted
/// wherever a tenant is named (API paths, the sign-in body, the CLI's `--tenant`).
///
/// The grammar: `TenantSlug.lengthCharactersMin`–`lengthCharactersMax` characters of lowercase
/// ASCII letters, digits and single hyphens, starting and ending with a letter or digit
/// (`acme`, `globex-2`). A slug can never look like a tenant id (`tn_…` holds an underscore),
/// so the two name spaces never overlap.
public enum TenantSlug {
    public static let lengthCharactersMin = 3
    public static let lengthCharactersMax = 40
    /// The grammar as a regular expression (with the length bounds beside it), for documents.
    public static let pattern = "^[a-z0-9]+(-[a-z0-9]+)*$"
    /// Numbered candidates tried when deriving a slug from a name (`acme`, `acme-2` … `acme-9`)
    /// before the id-based ones.
    static let numberedCandidatesMax = 9
    /// Characters of the tenant id's random part appended to a derived slug past the numbered ones.
    static let idSuffixLengthCharacters = 6

    /// Words that name the service or its routes rather than a customer.
    public static let reserved: Set<String> = [
        "admin", "administrator", "aerolith", "api", "app", "auth", "billing", "default", "docs", "health", "help",
        "login", "logout", "me", "metrics", "new", "null", "openapi", "platform", "root", "security", "settings",
        "signin", "signup", "status", "support", "sys", "system", "tenant", "tenants", "undefined", "www",
    ]

    /// Whether `text` follows the grammar (reserved words included).
    public static func isWellFormed(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (lengthCharactersMin...lengthCharactersMax).contains(bytes.count),
            bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-")
        else { return false }
        var previous: UInt8 = 0
        for byte in bytes {
            let alphanumeric =
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            guard alphanumeric || (byte == UInt8(ascii: "-") && previous != UInt8(ascii: "-")) else { return false }
            previous = byte
        }
        return true
    }

    /// Throws `invalid_slug` unless `text` is a slug a caller may choose.
    static func check(_ text: String) throws(PlatformError) {
        guard isWellFormed(text) else {
            throw PlatformError(
                .invalidSlug,
                "slug \"\(text.prefix(48))\" is not \(lengthCharactersMin)-\(lengthCharactersMax) lowercase letters, digits and single hyphens, starting and ending with a letter or digit"
            )
        }
        guard !reserved.contains(text) else {
            throw PlatformError(.invalidSlug, "slug \"\(text)\" is reserved; choose another")
        }
    }

    /// The slug a name suggests: letters folded to lowercase ASCII (accents dropped), every
    /// other run of characters one hyphen, cut to the maximum length. A result that is too
    /// short or reserved is prefixed with `tenant-`; a name with no letters or digits gives `tenant`.
    static func base(from name: String) -> String {
        let folded = name.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil).lowercased()
        var slug = ""
        var pendingHyphen = false
        for scalar in folded.unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                if pendingHyphen && !slug.isEmpty { slug.append("-") }
                pendingHyphen = false
                slug.unicodeScalars.append(scalar)
            } else {
                pendingHyphen = true
            }
        }
        if slug.isEmpty { return "tenant" }
        if slug.count < lengthCharactersMin || reserved.contains(slug) { slug = "tenant-" + slug }
        return trimmed(slug, toLength: lengthCharactersMax)
    }

    /// The slugs tried, in order, for a tenant that was given none: the name's base, numbered
    /// variants, then variants carrying part of the tenant id and finally the whole id's random
    /// part. The same (name, id) always gives the same list, so a backfill is deterministic.
    static func candidates(name: String, id: String) -> [String] {
        let base = base(from: name)
        let random = String(id.drop { $0 != "_" }.dropFirst())
        var list = [base]
        for number in 2...numberedCandidatesMax { list.append(suffixed(base, "\(number)")) }
        list.append(suffixed(base, String(random.prefix(idSuffixLengthCharacters))))
        list.append(suffixed(base, random))
        list.append("t-" + random)
        return list.filter { isWellFormed($0) && !reserved.contains($0) }
    }

    private static func suffixed(_ base: String, _ suffix: String) -> String {
        trimmed(base, toLength: lengthCharactersMax - suffix.count - 1) + "-" + suffix
    }

    private static func trimmed(_ slug: String, toLength length: Int) -> String {
        var cut = String(slug.prefix(length))
        while cut.hasSuffix("-") { cut.removeLast() }
        return cut
    }
}
