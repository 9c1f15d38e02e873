import Foundation

// The character classes of HuggingFace's BertNormalizer and BertPreTokenizer, as the oracle `reference.py`
// defines them. HF takes general categories and NFD from Unicode-8-era tables but lowercases with
// Unicode 16; the oracle reproduces that on Python's Unicode 14 plus the exception tables below (copied from
// it). Swift's own tables are newer, so a scalar assigned after Unicode 14.0 is treated as unassigned here
// (category Cn, no decomposition, combining class 0, no case mapping), exactly as Python 3.11 sees it.
extension WordPieceTokenizer {
    /// BertNormalizer: clean text (drop NUL, U+FFFD, Cc/Cf/Co; whitespace → space), space out CJK
    /// ideographs, NFD, drop nonspacing marks, lowercase scalar by scalar. Appends to `output`.
    static func normalize(_ input: ArraySlice<UInt32>, firstOffset: Int, into output: inout NormalizedText) {
        var pending = Decomposed()
        var origin = firstOffset
        for scalar in input {
            defer { origin += 1 }
            if scalar < 0x80 {
                switch scalar {
                case 0x09, 0x0A, 0x0D, 0x20: pending.append(0x20, combiningClass: 0, origin: origin)
                case 0x00..<0x20, 0x7F: continue  // NUL and the other C0 controls (\x0b and \x0c too)
                default: pending.append(scalar, combiningClass: 0, origin: origin)
                }
                continue
            }
            if let kept = Self.huggingFaceVerbatim(scalar) {
                // HF leaves these alone (its old tables neither decompose, strip nor lowercase them).
                pending.flush(into: &output)
                output.append(kept, origin: origin)
            } else if scalar == 0xFFFD || Self.huggingFaceDrop.contains(scalar) || isControl(scalar) {
                continue
            } else if isWhitespace(scalar) {
                pending.append(0x20, combiningClass: 0, origin: origin)
            } else if isChineseIdeograph(scalar) {
                pending.append(0x20, combiningClass: 0, origin: origin)
                pending.appendDecomposition(of: scalar, origin: origin)
                pending.append(0x20, combiningClass: 0, origin: origin)
            } else {
                pending.appendDecomposition(of: scalar, origin: origin)
            }
        }
        pending.flush(into: &output)
    }

    /// Rust's `char::is_whitespace` (the White_Space property).
    static func isWhitespace(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }

    /// Every ASCII symbol, any Unicode punctuation category, with HF's exceptions.
    static func isPunctuation(_ scalar: UInt32) -> Bool {
        if scalar < 0x80 {
            switch scalar {
            case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E: return true
            default: return false
            }
        }
        if huggingFacePunctuation.contains(scalar) { return true }
        if huggingFaceNotPunctuation.contains(scalar) { return false }
        switch generalCategory(scalar) {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// Cc, Cf or Co; tab, line feed and carriage return count as whitespace instead.
    static func isControl(_ scalar: UInt32) -> Bool {
        if scalar == 0x09 || scalar == 0x0A || scalar == 0x0D { return false }
        switch generalCategory(scalar) {
        case .control, .format, .privateUse: return true
        default: return false
        }
    }

    /// HF tokenizers' `is_chinese_char` (0x2B920, where Google's BERT has 0x2B820).
    static func isChineseIdeograph(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
            0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }

    /// The general category as Python 3.11 (Unicode 14.0) reports it.
    static func generalCategory(_ scalar: UInt32) -> Unicode.GeneralCategory {
        guard let unicodeScalar = Unicode.Scalar(scalar), isAssignedInUnicode14(unicodeScalar) else {
            return .unassigned
        }
        return generalCategory(unicodeScalar)
    }

    /// The Unicode 14.0 general category of a scalar assigned by then.
    static func generalCategory(_ scalar: Unicode.Scalar) -> Unicode.GeneralCategory {
        // Recategorised after 14.0; found by comparing every scalar with Python 3.11.
        if scalar.value == 0x1171E { return .nonspacingMark }  // AHOM CONSONANT SIGN MEDIAL RA, Mc since 15.0
        return scalar.properties.generalCategory
    }

    static func isAssignedInUnicode14(_ scalar: Unicode.Scalar) -> Bool {
        guard let age = scalar.properties.age else { return false }
        return age.major < 14 || (age.major == 14 && age.minor == 0)
    }

    /// The replacement for a scalar HF copies verbatim, or nil for an ordinary scalar.
    private static func huggingFaceVerbatim(_ scalar: UInt32) -> UInt32? {
        if let lowered = huggingFaceLowercase[scalar] { return lowered }
        return huggingFaceKeep.contains(scalar) ? scalar : nil
    }

    // MARK: - HF compatibility tables (from reference.py; only scalars assigned after Unicode 8 are affected)

    /// Kept verbatim by HF (Python calls them Mn/Cf, or NFD-decomposes them).
    static let huggingFaceKeep = ScalarSet([
        0x7FD...0x7FD, 0x890...0x891, 0x898...0x89F, 0x8CA...0x8E2, 0x9FE...0x9FE, 0xAFA...0xAFF, 0xB55...0xB55,
        0xC04...0xC04, 0xC3C...0xC3C, 0xD00...0xD00, 0xD3B...0xD3C, 0xD81...0xD81, 0xEBA...0xEBA, 0x180F...0x180F,
        0x1885...0x1886, 0x1ABF...0x1ACE, 0x1DF6...0x1DFB, 0xA82C...0xA82C, 0xA8C5...0xA8C5, 0xA8FF...0xA8FF,
        0xA9BD...0xA9BD, 0x10D24...0x10D27, 0x10EAB...0x10EAC, 0x10F46...0x10F50, 0x10F82...0x10F85,
        0x11070...0x11070, 0x11073...0x11074, 0x110C2...0x110C2, 0x110CD...0x110CD, 0x111C9...0x111C9,
        0x111CF...0x111CF, 0x1123E...0x1123E, 0x1133B...0x1133B, 0x11438...0x1143F, 0x11442...0x11444,
        0x11446...0x11446, 0x1145E...0x1145E, 0x1182F...0x11837, 0x11839...0x1183A, 0x11938...0x11938,
        0x1193B...0x1193C, 0x1193E...0x1193E, 0x11943...0x11943, 0x119D4...0x119D7, 0x119DA...0x119DB,
        0x119E0...0x119E0, 0x11A01...0x11A0A, 0x11A33...0x11A38, 0x11A3B...0x11A3E, 0x11A47...0x11A47,
        0x11A51...0x11A56, 0x11A59...0x11A5B, 0x11A8A...0x11A96, 0x11A98...0x11A99, 0x11C30...0x11C36,
        0x11C38...0x11C3D, 0x11C3F...0x11C3F, 0x11C92...0x11CA7, 0x11CAA...0x11CB0, 0x11CB2...0x11CB3,
        0x11CB5...0x11CB6, 0x11D31...0x11D36, 0x11D3A...0x11D3A, 0x11D3C...0x11D3D, 0x11D3F...0x11D45,
        0x11D47...0x11D47, 0x11D90...0x11D91, 0x11D95...0x11D95, 0x11D97...0x11D97, 0x11EF3...0x11EF4,
        0x13430...0x13438, 0x16F4F...0x16F4F, 0x16FE4...0x16FE4, 0x1CF00...0x1CF2D, 0x1CF30...0x1CF46,
        0x1E000...0x1E006, 0x1E008...0x1E018, 0x1E01B...0x1E021, 0x1E023...0x1E024, 0x1E026...0x1E02A,
        0x1E130...0x1E136, 0x1E2AE...0x1E2AE, 0x1E2EC...0x1E2EF, 0x1E944...0x1E94A,
    ])

    /// Python says punctuation, HF does not split them.
    static let huggingFaceNotPunctuation = ScalarSet([
        0x61D...0x61D, 0x9FD...0x9FD, 0xA76...0xA76, 0xC77...0xC77, 0xC84...0xC84, 0x1B7D...0x1B7E, 0x2E43...0x2E4F,
        0x2E52...0x2E5D, 0x10EAD...0x10EAD, 0x10F55...0x10F59, 0x10F86...0x10F89, 0x1144B...0x1144F,
        0x1145A...0x1145B, 0x1145D...0x1145D, 0x11660...0x1166C, 0x116B9...0x116B9, 0x1183B...0x1183B,
        0x11944...0x11946, 0x119E2...0x119E2, 0x11A3F...0x11A46, 0x11A9A...0x11A9C, 0x11A9E...0x11AA2,
        0x11C41...0x11C45, 0x11C70...0x11C71, 0x11EF7...0x11EF8, 0x11FFF...0x11FFF, 0x12FF1...0x12FF2,
        0x16E97...0x16E9A, 0x16FE2...0x16FE2, 0x1E95E...0x1E95F,
    ])

    /// HF splits them as punctuation (Po in Unicode 8).
    static let huggingFacePunctuation = ScalarSet([0x166D...0x166D, 0x111C9...0x111C9])

    /// Mn in Unicode 8 (Mc now): HF strips it as an accent.
    static let huggingFaceDrop = ScalarSet([0x1734...0x1734])

    /// Unicode 16 uppercase letters (unassigned in Unicode 14) that Rust lowercases.
    static let huggingFaceLowercase: [UInt32: UInt32] = {
        var table: [UInt32: UInt32] = [
            0x1C89: 0x1C8A, 0xA7CB: 0x0264, 0xA7CC: 0xA7CD, 0xA7CE: 0xA7CF,
            0xA7D2: 0xA7D3, 0xA7D4: 0xA7D5, 0xA7DA: 0xA7DB, 0xA7DC: 0x019B,
        ]
        for scalar: UInt32 in 0x10D50...0x10D65 { table[scalar] = scalar + 0x20 }
        for scalar: UInt32 in 0x16EA0...0x16EB8 { table[scalar] = scalar + 0x1B }
        return table
    }()
}

/// A sorted set of scalar ranges, searched by bisection.
struct ScalarSet: Sendable {
    private let ranges: [ClosedRange<UInt32>]

    init(_ ranges: [ClosedRange<UInt32>]) { self.ranges = ranges.sorted { $0.lowerBound < $1.lowerBound } }

    func contains(_ scalar: UInt32) -> Bool {
        var low = 0, high = ranges.count
        while low < high {
            let middle = (low + high) / 2
            if ranges[middle].upperBound < scalar {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low < ranges.count && ranges[low].contains(scalar)
    }
}

/// Scalars after canonical decomposition, not yet reordered, stripped of marks or lowercased.
private struct Decomposed {
    var scalars: [UInt32] = []
    var combiningClasses: [UInt8] = []
    var origins: [Int] = []

    mutating func append(_ scalar: UInt32, combiningClass: UInt8, origin: Int) {
        scalars.append(scalar)
        combiningClasses.append(combiningClass)
        origins.append(origin)
    }

    /// Appends the full canonical decomposition of `scalar` (NFD before reordering).
    mutating func appendDecomposition(of scalar: UInt32, origin: Int) {
        guard scalar >= 0xC0, let unicodeScalar = Unicode.Scalar(scalar),
            WordPieceTokenizer.isAssignedInUnicode14(unicodeScalar)
        else {
            append(scalar, combiningClass: 0, origin: origin)
            return
        }
        // Hangul syllables decompose algorithmically into conjoining jamo.
        let syllableIndex = Int(scalar) - 0xAC00
        if syllableIndex >= 0, syllableIndex < 11_172 {
            append(UInt32(0x1100 + syllableIndex / 588), combiningClass: 0, origin: origin)
            append(UInt32(0x1161 + (syllableIndex % 588) / 28), combiningClass: 0, origin: origin)
            if syllableIndex % 28 != 0 {
                append(UInt32(0x11A7 + syllableIndex % 28), combiningClass: 0, origin: origin)
            }
            return
        }
        if WordPieceTokenizer.isChineseIdeograph(scalar), scalar < 0xF900 || scalar > 0xFAFF, scalar < 0x2F800 {
            append(scalar, combiningClass: 0, origin: origin)  // unified ideographs never decompose
            return
        }
        let decomposition = String(Character(unicodeScalar)).decomposedStringWithCanonicalMapping.unicodeScalars
        for part in decomposition {
            append(part.value, combiningClass: Self.combiningClass(of: part), origin: origin)
        }
    }

    static func combiningClass(of scalar: Unicode.Scalar) -> UInt8 {
        guard WordPieceTokenizer.isAssignedInUnicode14(scalar) else { return 0 }
        return scalar.properties.canonicalCombiningClass.rawValue
    }

    /// Canonical ordering, then drop Mn and lowercase scalar by scalar (no final-sigma rule); empties self.
    mutating func flush(into output: inout NormalizedText) {
        reorderCombiningMarks()
        for index in scalars.indices {
            let scalar = scalars[index]
            let origin = origins[index]
            if scalar < 0x80 {
                output.append((0x41...0x5A).contains(scalar) ? scalar + 0x20 : scalar, origin: origin)
                continue
            }
            guard let unicodeScalar = Unicode.Scalar(scalar), WordPieceTokenizer.isAssignedInUnicode14(unicodeScalar)
            else {
                output.append(scalar, origin: origin)
                continue
            }
            let properties = unicodeScalar.properties
            if WordPieceTokenizer.generalCategory(unicodeScalar) == .nonspacingMark { continue }
            if properties.changesWhenLowercased {
                for lowered in properties.lowercaseMapping.unicodeScalars {
                    output.append(lowered.value, origin: origin)
                }
            } else {
                output.append(scalar, origin: origin)
            }
        }
        scalars.removeAll(keepingCapacity: true)
        combiningClasses.removeAll(keepingCapacity: true)
        origins.removeAll(keepingCapacity: true)
    }

    /// A stable sort by combining class of every run of non-starters (the canonical ordering algorithm).
    private mutating func reorderCombiningMarks() {
        var index = 0
        while index < scalars.count {
            guard combiningClasses[index] != 0 else {
                index += 1
                continue
            }
            var end = index + 1
            while end < scalars.count, combiningClasses[end] != 0 { end += 1 }
            if end - index > 1 {
                for position in (index + 1)..<end {  // insertion sort: runs are a few marks long
                    var current = position
                    while current > index, combiningClasses[current - 1] > combiningClasses[current] {
                        scalars.swapAt(current - 1, current)
                        combiningClasses.swapAt(current - 1, current)
                        origins.swapAt(current - 1, current)
                        current -= 1
                    }
                }
            }
            index = end
        }
    }
}
