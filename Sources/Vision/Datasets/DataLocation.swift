// Where a dataset lives on disk. A dataset's folder (e.g. `facades`, `BSDS500`) is looked
// for, first match wins, in:
//   1. $SWIFTGAN_DATA_DIR/NAME;
//   2. ./data/NAME (the current directory);
//   3. data/NAME in each parent of the current directory (the reference scripts use
//      ../../data/NAME, so a checkout beside a data folder works unchanged).
// `gan data fetch` writes to $SWIFTGAN_DATA_DIR/NAME, else ./data/NAME.
import Foundation

public enum DataLocation {
    /// The environment variable naming the folder that holds the datasets.
    public static let environmentVariable = "SWIFTGAN_DATA_DIR"

    /// The folders searched for dataset folder `name`, in order.
    public static func candidates(for name: String,
                                  environment: [String: String] = ProcessInfo.processInfo.environment,
                                  currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) -> [URL] {
        var list = [URL]()
        if let root = dataRoot(environment) { list.append(root.appendingPathComponent(name)) }
        list += MNISTLocation.ancestors(of: currentDirectory).map { $0.appendingPathComponent("data").appendingPathComponent(name) }
        return list
    }

    /// The first candidate folder for `name` that exists, or nil.
    public static func find(_ name: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                            currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) -> URL? {
        candidates(for: name, environment: environment, currentDirectory: currentDirectory).first { isFolder($0) }
    }

    /// Where a fetched or built dataset `name` is written: under $SWIFTGAN_DATA_DIR, else ./data.
    public static func defaultTarget(for name: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                                     currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) -> URL {
        (dataRoot(environment) ?? currentDirectory.appendingPathComponent("data")).appendingPathComponent(name)
    }

    static func isFolder(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    private static func dataRoot(_ environment: [String: String]) -> URL? {
        guard let value = environment[environmentVariable], !value.isEmpty else { return nil }
        return URL(fileURLWithPath: value)
    }
}
