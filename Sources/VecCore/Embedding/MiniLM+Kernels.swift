import CBLAS

/// The element-wise and row-wise kernels of the BERT forward pass, on raw pointers (no bounds checks in
/// the hot loops). Sums and maxima use SIMD accumulators; the transcendental maths (exp2, erf) is written
/// as branch-free scalar code in plain loops, which LLVM vectorises better than explicit SIMD types on the
/// baseline x86-64 target. Matrix products go to OpenBLAS.
enum Kernels {
    typealias Vector = SIMD8<Float>
    static let lanes = Vector.scalarCount

    /// C = alpha · A · op(B) + beta · C, all row-major; op(B) = Bᵀ when `transposeB`.
    @inline(__always)
    static func gemm(
        m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(pointer).loadUnaligned(as: Vector.self)
    }

    @inline(__always)
    static func store(_ value: Vector, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Vector.self)
    }

    /// Every row of `rows × width` at `destination` becomes `row` (width floats).
    static func broadcast(
        _ row: UnsafePointer<Float>, rows: Int, width: Int, into destination: UnsafeMutablePointer<Float>
    ) {
        for index in 0..<rows {
            (destination + index * width).update(from: row, count: width)
        }
    }

    /// destination = source + bias for every row (width a multiple of 8).
    static func addBias(
        _ source: UnsafePointer<Float>, _ bias: UnsafePointer<Float>, rows: Int, width: Int,
        into destination: UnsafeMutablePointer<Float>
    ) {
        for row in 0..<rows {
            let input = source + row * width
            let output = destination + row * width
            var column = 0
            while column < width {
                store(load(input + column) + load(bias + column), output + column)
                column += lanes
            }
        }
    }

    /// LayerNorm over each row (width a multiple of 8), in place: (x − mean) / √(var + ε) · γ + β.
    static func layerNorm(
        _ data: UnsafeMutablePointer<Float>, rows: Int, width: Int,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, epsilon: Float
    ) {
        let count = Float(width)
        for row in 0..<rows {
            let x = data + row * width
            var sum = Vector()
            var column = 0
            while column < width {
                sum += load(x + column)
                column += lanes
            }
            let mean = Vector(repeating: sum.sum() / count)
            var squares = Vector()
            column = 0
            while column < width {
                let centred = load(x + column) - mean
                squares += centred * centred
                column += lanes
            }
            let variance = squares.sum() / count
            let scale = Vector(repeating: 1 / (variance + epsilon).squareRoot())
            column = 0
            while column < width {
                let normalized = (load(x + column) - mean) * scale
                store(normalized * load(gamma + column) + load(beta + column), x + column)
                column += lanes
            }
        }
    }

    /// The softmax of each row of a `rows × width` matrix without its final division: each row becomes
    /// e^(x − max) and `reciprocalSums[row]` gets 1 / Σ. The caller scales the (narrower) product instead.
    static func unnormalizedSoftmax(
        _ data: UnsafeMutablePointer<Float>, rows: Int, width: Int, reciprocalSums: UnsafeMutablePointer<Float>
    ) {
        let whole = width - width % 4
        for row in 0..<rows {
            let x = data + row * width
            var maxima = SIMD4<Float>(repeating: -.infinity)
            var column = 0
            while column < whole {
                let value = UnsafeRawPointer(x + column).loadUnaligned(as: SIMD4<Float>.self)
                maxima.replace(with: value, where: value .> maxima)
                column += 4
            }
            var maximum = maxima.max()
            for tail in whole..<width where x[tail] > maximum { maximum = x[tail] }
            // e^(x − max) = 2^(x·log2 e − max·log2 e); this scalar loop vectorises.
            let shift = maximum * log2e
            for index in 0..<width { x[index] = exp2(x[index] * log2e - shift) }
            var sums = SIMD4<Float>()
            column = 0
            while column < whole {
                sums += UnsafeRawPointer(x + column).loadUnaligned(as: SIMD4<Float>.self)
                column += 4
            }
            var sum = sums.sum()
            for tail in whole..<width { sum += x[tail] }
            reciprocalSums[row] = 1 / sum
        }
    }

    /// Multiplies row `i` of a `rows × width` block (rows `stride` apart) by `factors[i]`.
    static func scaleRows(
        _ data: UnsafeMutablePointer<Float>, rows: Int, width: Int, stride: Int, by factors: UnsafePointer<Float>
    ) {
        for row in 0..<rows {
            let x = data + row * stride
            let factor = factors[row]
            for column in 0..<width { x[column] *= factor }
        }
    }

    /// Exact GELU in place: 0.5 · x · (1 + erf(x / √2)).
    static func gelu(_ data: UnsafeMutablePointer<Float>, count: Int) {
        // Plain scalar code on purpose: LLVM vectorises this loop well, explicit SIMD types do worse here.
        for index in 0..<count {
            let x = data[index]
            data[index] = x * (0.5 + 0.5 * erf(x * 0.70710678118654752))
        }
    }

    static let log2e: Float = 1.44269504088896341

    /// 2^y to 2e-7 relative error, branch-free so loops vectorise. y = n + f with n the nearest integer
    /// (the 1.5·2²³ trick leaves n in the low mantissa bits) and 2^f a degree-5 fit on [−½, ½]. Inputs
    /// below −126 give 2^−126: next to a softmax maximum of 1 that is zero, and it avoids subnormals.
    /// Reducing in base 2 loses relative accuracy only for large |y|, where the value itself is negligible.
    @inline(__always)
    static func exp2(_ input: Float) -> Float {
        let y = input < -126 ? -126 : input
        let shifted = y + 12_582_912
        let f = y - (shifted - 12_582_912)
        var p: Float = 0.001328173213462614
        p = p * f + 0.009675585925791305
        p = p * f + 0.05550697024496447
        p = p * f + 0.24022118614392646
        p = p * f + 0.6931469769853329
        p = p * f + 1.0000000719964164
        return p * Float(bitPattern: (shifted.bitPattern &- 0x4B40_0000 &+ 127) &<< 23)
    }

    /// erf(z) ≈ z · P(z²) / Q(z²) on z clamped to [−4, 4] (erf(±4) is ±1 in Float). A (5, 5) rational
    /// fitted to erf in float64 (max error 2.4e-8); about 4e-7 in Float arithmetic, the same order as the
    /// rounding of the products around it. No exp, no branches: about 1.3 ns a value on SSE2.
    @inline(__always)
    static func erf(_ z: Float) -> Float {
        var x = z < -4 ? -4 : z
        x = x > 4 ? 4 : x
        let t = x * x
        var p: Float = 1.964193543094111e-06
        p = p * t + 0.00028880354511365275
        p = p * t + 0.0040469672165472145
        p = p * t + 0.053600804639659536
        p = p * t + 0.19728884482105435
        p = p * t + 1.1283789521161325
        var q: Float = 3.741014358681892e-05
        q = q * t + 0.0012264592627964604
        q = q * t + 0.015531456122392073
        q = q * t + 0.11690251262562815
        q = q * t + 0.5081735962290179
        q = q * t + 1
        return x * p / q
    }
}
