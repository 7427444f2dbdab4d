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

/// Fraction of samples whose predicted class is the label they were generated for.
public func labelAccuracy(predictions: [Int], labels: [Int]) -> Double {
    precondition(predictions.count == labels.count && !labels.isEmpty, "labelAccuracy: \(predictions.count) predictions for \(labels.count) labels")
    return Double(zip(predictions, labels).filter { $0 == $1 }.count) / Double(labels.count)
}
