// TEMPORARY until the data branch lands (Vision's DataLocation replaces it).
import Foundation
enum DataLocation {
    static func candidates(for name: String) -> [URL] {
        var list: [URL] = []
        if let env = ProcessInfo.processInfo.environment["SWIFTGAN_DATA_DIR"] { list.append(URL(fileURLWithPath: env).appendingPathComponent(name)) }
        list.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("data").appendingPathComponent(name))
        return list
    }
    static func find(_ name: String) -> URL? { candidates(for: name).first { FileManager.default.fileExists(atPath: $0.path) } }
}
