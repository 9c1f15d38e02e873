import Foundation
import Testing

@testable import VecCore

/// `Double.fixed` writes what `String(format: "%.Nf")` writes, for every kind of value.
@Suite struct FixedPointTests {
    @Test func matchesPrintfOnEdgeCases() {
        let values: [Double] = [
            0, -0.0, 1, -1, 0.5, 1.5, 2.5, 0.0005, 0.0015, 0.1235, 0.1245, 0.0625, -0.0625, 0.9995, 9.9995, 0.12345,
            -0.0001, 123.456789, 1e-12, -1e-12, 4.5e15, 9.1e15, 1e300, -1e300, .nan, .infinity, -.infinity,
            Double.leastNonzeroMagnitude, Double.greatestFiniteMagnitude, 0.1 + 0.2, 1 - 0.15, 0.85, 0.15,
        ]
        for value in values {
            for places in [0, 1, 2, 3, 6, 9] {
                #expect(value.fixed(places) == String(format: "%.\(places)f", value), "\(value) to \(places) places")
            }
        }
    }

    @Test func matchesPrintfOnManyRandomValues() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let value = Double.random(in: -1000...1000, using: &generator)
            // Values on a thousandth's tie too: the decimal halves a similarity or a score can land on.
            let tie = (Double(Int.random(in: -100_000...100_000, using: &generator)) + 0.5) / 1000
            for candidate in [value, tie, value / 1e6] {
                for places in [2, 3] {
                    #expect(candidate.fixed(places) == String(format: "%.\(places)f", candidate), "\(candidate)")
                }
            }
        }
    }
}
