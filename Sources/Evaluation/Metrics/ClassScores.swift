// Scores computed from the feature network's class probabilities.
import Foundation

/// The Inception-Score formula with our classifier: exp(mean_x KL(p(y|x) || p(y))),
/// computed over all samples in one split (Salimans et al., 2016, arXiv:1606.03498).
/// Ranges from 1 (every sample the same class distribution) to the number of classes.
public func classifierScore(probabilities p: [Float], classes c: Int) -> Double {
    precondition(c > 0 && p.count % c == 0 && !p.isEmpty, "classifierScore: \(p.count) probabilities are not rows of \(c)")
    let n = p.count / c
    var marginal = [Double](repeating: 0, count: c)
    for r in 0..<n { for k in 0..<c { marginal[k] += Double(p[r * c + k]) } }
    for k in 0..<c { marginal[k] /= Double(n) }
    var kl = 0.0
    for r in 0..<n {
        for k in 0..<c {
            let q = Double(p[r * c + k])
            if q > 0 { kl += q * (Foundation.log(q) - Foundation.log(marginal[k])) }
        }
    }
    return Foundation.exp(kl / Double(n))
}

/// How many samples the classifier puts in each class.
public func classHistogram(predictions: [Int], classes: Int) -> [Int] {
    var h = [Int](repeating: 0, count: classes)
    for p in predictions where p >= 0 && p < classes { h[p] += 1 }
    return h
}

/// Classes holding at least `threshold` (2% by default) of the samples, out of `classes`.
public func modeCoverage(histogram: [Int], threshold: Double = 0.02) -> Int {
    let n = histogram.reduce(0, +)
    guard n > 0 else { return 0 }
    return histogram.filter { Double($0) >= threshold * Double(n) }.count
}

/// The fraction `labelAccuracy` would give under the best one-to-one renaming of the
/// labels to classes: for codes a model learns without supervision (InfoGAN's categorical
/// code), whose order is arbitrary. Exact, by dynamic programming over sets of classes.
public func matchedLabelAccuracy(predictions: [Int], labels: [Int], classes: Int) -> Double {
    precondition(predictions.count == labels.count && !labels.isEmpty, "matchedLabelAccuracy: \(predictions.count) predictions for \(labels.count) labels")
    precondition(classes > 0 && classes <= 16, "matchedLabelAccuracy: 1 to 16 classes, got \(classes)")
    var counts = [Int](repeating: 0, count: classes * classes)   // [label * classes + predicted]
    for (p, l) in zip(predictions, labels) where (0..<classes).contains(p) && (0..<classes).contains(l) {
        counts[l * classes + p] += 1
    }
    // best[set]: the most matches when labels 0..<|set| are given the classes in `set`.
    var best = [Int](repeating: -1, count: 1 << classes)
    best[0] = 0
    for set in 0..<(1 << classes) where best[set] >= 0 {
        let label = set.nonzeroBitCount
        guard label < classes else { continue }
        for c in 0..<classes where set & (1 << c) == 0 {
            let next = set | (1 << c)
            best[next] = Swift.max(best[next], best[set] + counts[label * classes + c])
        }
    }
    return Double(best[(1 << classes) - 1]) / Double(labels.count)
}

/// Fraction of samples whose predicted class is the label they were generated for.
public func labelAccuracy(predictions: [Int], labels: [Int]) -> Double {
    precondition(predictions.count == labels.count && !labels.isEmpty, "labelAccuracy: \(predictions.count) predictions for \(labels.count) labels")
    return Double(zip(predictions, labels).filter { $0 == $1 }.count) / Double(labels.count)
}
