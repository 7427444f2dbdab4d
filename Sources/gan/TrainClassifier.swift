import ArgumentParser
import Evaluation
import Foundation
import GANs
import NN
import Vision

struct TrainClassifier: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-classifier",
        abstract: "Train the MNIST classifier whose features `gan eval` measures in, or (--celeba) the CelebA attribute classifier that judges stargan's edits.",
        discussion: """
            Reproducible: the seed fixes initialisation, dropout and data order. The shipped \
            weights (Data/classifier/mnist_classifier.safetensors, Data/classifier/celeba_attributes.safetensors) \
            were made with the defaults on a release build: `swift build -c release && .build/release/gan train-classifier` \
            and `.build/release/gan train-classifier --celeba` (CelebA from --data-dir, else data/celeba; \
            its last 2000 faces, stargan's held-out ones, are the test split).
            """)

    @Flag(help: "Train the CelebA attribute classifier instead of the MNIST one.") var celeba = false
    @Option(help: "--celeba: the attributes to predict, comma-separated (default: stargan's).") var attributes: String?
    @Option(help: "Epochs of Adam over the training images (default: 4 for MNIST, 12 for CelebA).") var epochs: Int?
    @Option(help: "Size of the batches.") var batchSize = 64
    @Option(help: "Adam's learning rate (halved after every epoch for MNIST; times 0.8 for CelebA).") var lr: Float = 1e-3
    @Option(help: "Seed for initialisation, dropout and data order.") var seed: UInt64 = 0
    @Option(help: "Where to write the weights (default: the shipped file's path).") var out: String?
    @Option(help: "Folder with the MNIST IDX files (default: the built-in copy), or with CelebA for --celeba.") var dataDir: String?
    @Option(help: "Threads for the kernels (default: all cores).") var threads: Int?

    func run() throws {
        let epochs = self.epochs ?? (celeba ? 12 : 4)
        guard epochs > 0, batchSize > 0, lr > 0 else { throw ToolError("--epochs, --batch-size and --lr must be positive") }
        if let threads {
            guard threads > 0 else { throw ToolError("--threads must be positive, got \(threads)") }
            GANRuntime.setThreads(threads)
        }
        if attributes != nil && !celeba { throw ToolError("--attributes applies to the CelebA attribute classifier: add --celeba") }
        var options = ClassifierTrainingOptions()
        options.epochs = epochs
        options.batchSize = batchSize
        options.learningRate = lr
        options.seed = seed
        if celeba {
            options.decayPerEpoch = 0.8
            try trainAttributeClassifier(options)
            return
        }
        let dir = dataDir.map { URL(fileURLWithPath: $0) }
        let train = try failing { try MNISTTensors(split: .train, directory: dir) }
        let test = try failing { try MNISTTensors(split: .test, directory: dir) }
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
        let url = URL(fileURLWithPath: out ?? ClassifierLocation.relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let metadata = ["test_accuracy": String(format: "%.4f", accuracy), "epochs": "\(epochs)", "batch_size": "\(batchSize)",
                        "lr": "\(lr)", "seed": "\(seed)", "made_by": "gan train-classifier"]
        try failing { try model.save(to: url.path, metadata: metadata) }
        say(String(format: "Test accuracy %.2f%%; wrote %@ (%d parameters) in %.0f s", accuracy * 100, url.path,
                     model.parameterCount, Date().timeIntervalSince(start)))
    }

    /// --celeba: trains on all but the last 2000 faces, tests on those.
    func trainAttributeClassifier(_ options: ClassifierTrainingOptions) throws {
        let names = attributes.map { $0.split(separator: ",").map(String.init) } ?? StarGAN.defaultAttributes
        guard !names.isEmpty, Set(names).count == names.count else { throw ToolError("--attributes needs distinct attribute names, comma-separated") }
        guard let root = dataDir.map({ URL(fileURLWithPath: $0) }) ?? DataLocation.find("celeba") else {
            throw ToolError("CelebA was not found: give --data-dir (a folder with img_align_celeba/ and list_attr_celeba.txt)")
        }
        let start = Date()
        let train = try failing { try CelebAFaces(root: root, attributes: names, split: .train) }
        let test = try failing { try CelebAFaces(root: root, attributes: names, split: .test) }
        say(String(format: "Training the attribute classifier (%@) on %d faces, testing on the last %d: %d epochs, batch %d, Adam lr %g, seed %llu (faces read in %.0f s)",
                   names.joined(separator: ", "), train.count, test.count, options.epochs, options.batchSize, options.learningRate, seed,
                   Date().timeIntervalSince(start)))
        var accuracy = [Double]()
        let model = try failing {
            try AttributeClassifierTraining.train(options, train: train, test: test, onBatch: { done, total, loss in
                if done % 50 == 0 {
                    say(String(format: "  batch %d/%d: loss %.4f (%.0f s)", done, total, loss, Date().timeIntervalSince(start)))
                }
            }) { epoch, loss, acc in
                accuracy = acc
                say(String(format: "epoch %d: training loss %.4f, test accuracy %@ (%.0f s)", epoch, loss,
                           zip(names, acc).map { String(format: "%@ %.2f%%", $0, $1 * 100) }.joined(separator: ", "),
                           Date().timeIntervalSince(start)))
            }
        }
        let url = URL(fileURLWithPath: out ?? ClassifierLocation.attributeClassifierPath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let metadata = ["test_accuracy": zip(names, accuracy).map { String(format: "%@=%.4f", $0, $1) }.joined(separator: ","),
                        "train_faces": "\(train.count)", "test_faces": "\(test.count)", "epochs": "\(options.epochs)",
                        "batch_size": "\(options.batchSize)", "lr": "\(options.learningRate)", "seed": "\(seed)", "made_by": "gan train-classifier --celeba"]
        try failing { try model.save(to: url, metadata: metadata) }
        say(String(format: "Mean test accuracy %.2f%%; wrote %@ (%d parameters) in %.0f s",
                   accuracy.reduce(0, +) / Double(max(accuracy.count, 1)) * 100, url.path, model.parameterCount, Date().timeIntervalSince(start)))
    }
}

/// Prints a line unbuffered, so progress shows when the output is piped to a log.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
