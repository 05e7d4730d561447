import AerolithServer
import AerolithStorage
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The checks on the source directory made before anything is opened, so a wrong path never
/// creates a database.
enum SourceDirectory {
    static func check(_ directory: String) throws {
        func fail(_ problem: String) -> CLIError {
            CLIError(code: DataDirectoryError.Code.invalid.rawValue, "sqlite:\(directory): \(problem)", exitCode: ExitStatus.usage)
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else { throw fail("no such directory") }
        guard isDirectory.boolValue else { throw fail("not a directory") }
        guard access(directory, R_OK | W_OK | X_OK) == 0 else {
            throw fail("this process cannot read and write it (\(String(cString: strerror(errno)).lowercased()))")
        }
        let database = directory + "/" + SQLiteDocumentStore.databaseFileName
        guard FileManager.default.fileExists(atPath: database) else {
            throw fail("holds no \(SQLiteDocumentStore.databaseFileName): not an Aerolith data directory")
        }
        guard access(database, R_OK | W_OK) == 0 else {
            throw fail("cannot read and write \(SQLiteDocumentStore.databaseFileName) (\(String(cString: strerror(errno)).lowercased()))")
        }
    }
}
