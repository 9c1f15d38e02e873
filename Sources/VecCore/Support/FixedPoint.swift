import Foundation

extension Double {
    /// The value with `places` decimals, exactly as `String(format: "%.<places>f")` writes it, at a small fraction of
    /// its cost: Foundation's formatter dominated a search's own CPU (its explanations write ~70 numbers).
    /// Near a rounding tie, NaN, ±∞ and magnitudes past 2^53 are left to `String(format:)`, whose exact decimal
    /// expansion decides them.
    public func fixed(_ places: Int) -> String {
        guard (0...9).contains(places), isFinite else { return String(format: "%.\(places)f", self) }
        let scale = Self.powersOfTen[places]
        let scaled = magnitude * scale
        guard scaled < 9.0e15 else { return String(format: "%.\(places)f", self) }
        let rounded = scaled.rounded(.toNearestOrEven)
        // fl(x × 10^p) is within a relative 2^-52 of the exact product: only a product that close to a half can round
        // the other way than printf's exact expansion.
        if abs(abs(scaled - rounded) - 0.5) <= scaled * 1e-12 { return String(format: "%.\(places)f", self) }
        let units = UInt64(rounded)
        let divisor = UInt64(scale)
        let whole = units / divisor
        var wholeDigits = 1
        var rest = whole / 10
        while rest > 0 {
            wholeDigits += 1
            rest /= 10
        }
        let negative = sign == .minus
        let length = (negative ? 1 : 0) + wholeDigits + (places > 0 ? 1 + places : 0)
        // Digits written right to left into the string's own storage: no intermediate strings.
        return String(unsafeUninitializedCapacity: length) { buffer in
            var position = length
            var fraction = units % divisor
            for _ in 0..<places {
                position -= 1
                buffer[position] = UInt8(ascii: "0") + UInt8(fraction % 10)
                fraction /= 10
            }
            if places > 0 {
                position -= 1
                buffer[position] = UInt8(ascii: ".")
            }
            var remaining = whole
            repeat {
                position -= 1
                buffer[position] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
            } while remaining > 0
            if negative { buffer[0] = UInt8(ascii: "-") }
            return length
        }
    }

    private static let powersOfTen: [Double] = (0...9).map { pow(10, Double($0)) }
}
