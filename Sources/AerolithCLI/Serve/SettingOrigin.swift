extension ServeConfigurationLoader {
    /// Where a setting's value came from, in the precedence `load` applies, for messages that
    /// must say which flag, variable or file line to change: "the --port flag", "the
    /// environment variable AEROLITH_PORT", "\"port\" in /etc/aerolith.json", or "the default".
    static func origin(of file: String, flags: Values, configFile: String?, environment: [String: String]) -> String {
        guard let setting = settings.first(where: { $0.file == file }) else { return "the default" }
        if flags[keyPath: setting.keyPath] != nil { return "the --\(file.replacingOccurrences(of: "_", with: "-")) flag" }
        if environment[setting.environment] != nil { return "the environment variable \(setting.environment)" }
        if let path = configFile ?? environment["AEROLITH_CONFIG"], let values = try? fileValues(path),
            values[keyPath: setting.keyPath] != nil
        {
            return "\"\(file)\" in \(path)"
        }
        return "the default"
    }

    /// "host came from …, port from …" for the listen address.
    static func listenOrigin(flags: Values, configFile: String?, environment: [String: String]) -> String {
        let host = origin(of: "host", flags: flags, configFile: configFile, environment: environment)
        let port = origin(of: "port", flags: flags, configFile: configFile, environment: environment)
        return
            "the host came from \(host), the port from \(port); set them with --host/--port, AEROLITH_HOST/AEROLITH_PORT or \"host\"/\"port\" in the configuration file"
    }

    static func dataDirectoryOrigin(flags: Values, configFile: String?, environment: [String: String]) -> String {
        let origin = origin(of: "data_dir", flags: flags, configFile: configFile, environment: environment)
        return "the directory came from \(origin); set it with --data-dir, AEROLITH_DATA_DIR or \"data_dir\" in the configuration file"
    }
}
