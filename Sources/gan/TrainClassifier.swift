import ArgumentParser
import Evaluation
import Foundation
import GANs
import NN

struct TrainClassifier: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-classifier",
        abstract: "Train the MNIST classifier whose features `gan eval` measures in.",
        discussion: """
            Reproducible: the seed fixes initialisation, dropout and data order. The shipped \
            weights (Data/classifier/mnist_classifier.safetensors) were made with the defaults \
            on a release build: `swift build -c release && .build/release/gan train-classifier`.
            """)

    @Option(help: "Epochs of Adam over the 60,000 training images.") var epochs = 4
    @Option(help: "Size of the batches.") var batchSize = 64
    @Option(help: "Adam's learning rate (halved after every epoch).") var lr: Float = 1e-3
    @Option(help: "Seed for initialisation, dropout and data order.") var seed: UInt64 = 0
    @Option(help: "Where to write the weights.") var out = ClassifierLocation.relativePath
    @Option(help: "Folder with the MNIST IDX files (default: the built-in copy).") var dataDir: String?
    @Option(help: "Threads for the kernels (default: all cores).") var threads: Int?

    func run() throws {
        guard epochs > 0, batchSize > 0, lr > 0 else { throw ToolError("--epochs, --batch-size and --lr must be positive") }
        if let threads {
            guard threads > 0 else { throw ToolError("--threads must be positive, got \(threads)") }
            GANRuntime.setThreads(threads)
        }
        let dir = dataDir.map { URL(fileURLWithPath: $0) }
        let train = try failing { try MNISTTensors(split: .train, directory: dir) }
        let test = try failing { try MNISTTensors(split: .test, directory: dir) }
        var options = ClassifierTrainingOptions()
        options.epochs = epochs
        options.batchSize = batchSize
        options.learningRate = lr
        options.seed = seed
        say("Training the MNIST classifier: \(epochs) epochs, batch \(batchSize), Adam lr \(lr), seed \(seed)")
        let start = Date()
        var accuracy = 0.0
        let model = try failing {
            try ClassifierTraining.train(options, train: train, test: test, onBatch: { done, total, loss in
                if done % 200 == 0 {
                    say(String(format: "  batch %d/%d: loss %.4f (%.0f s)", done, total, loss, Date().timeIntervalSince(start)))
                }
            }) { epoch, loss, acc in
                accuracy = acc
                say(String(format: "epoch %d: training loss %.4f, test accuracy %.2f%% (%.0f s)",
                             epoch, loss, acc * 100, Date().timeIntervalSince(start)))
            }
        }
        let url = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let metadata = ["test_accuracy": String(format: "%.4f", accuracy), "epochs": "\(epochs)", "batch_size": "\(batchSize)",
                        "lr": "\(lr)", "seed": "\(seed)", "made_by": "gan train-classifier"]
        try failing { try model.save(to: url.path, metadata: metadata) }
        say(String(format: "Test accuracy %.2f%%; wrote %@ (%d parameters) in %.0f s", accuracy * 100, url.path,
                     model.parameterCount, Date().timeIntervalSince(start)))
    }
}

/// Prints a line unbuffered, so progress shows when the output is piped to a log.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
