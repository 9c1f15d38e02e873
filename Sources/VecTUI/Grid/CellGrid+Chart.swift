import Foundation

/// A small scatter/line chart, e.g. recall (y) against p95 latency (x) across a parameter sweep.
public struct Chart: Equatable, Sendable {
    /// One plotted point with an optional one-word label (e.g. "ef=40").
    public struct Point: Equatable, Sendable {
        public var x: Double
        public var y: Double
        public var label: String?
        public init(x: Double, y: Double, label: String? = nil) {
            self.x = x
            self.y = y
            self.label = label
        }
    }

    /// How values map to columns along x: `log` spreads values that differ by a factor evenly, so one slow point
    /// cannot squeeze the others into a column or two.
    public enum Scale: Equatable, Sendable {
        case linear
        case log
    }

    public var points: [Point]
    /// The point standing for the current setting, drawn distinctly.
    public var marked: Int?
    public var xScale: Scale
    public var xLabel: String
    public var yLabel: String
    /// Fixed axis ranges; nil fits the data.
    public var xRange: ClosedRange<Double>?
    public var yRange: ClosedRange<Double>?
    /// Connect consecutive points (in x order) with a dotted line.
    public var connect: Bool

    public init(
        points: [Point], marked: Int? = nil, xLabel: String = "", yLabel: String = "",
        xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil, connect: Bool = true,
        xScale: Scale = .linear
    ) {
        self.points = points
        self.marked = marked
        self.xScale = xScale
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xRange = xRange
        self.yRange = yRange
        self.connect = connect
    }
}

extension CellGrid {
    /// Draws `chart` inside `rect`: y labels on the left, an L-shaped axis, x labels underneath, and each point's
    /// label beside it where it covers no point and no other label and touches none (points in one cell share a
    /// label, "320/640").
    /// Returns the indices of the points whose label found no room. Areas too small for axes get the points alone;
    /// empty areas get nothing.
    @discardableResult
    public mutating func chart(_ chart: Chart, in rect: Rect) -> [Int] {
        let area = rect.intersection(bounds)
        guard !area.isEmpty else { return [] }
        let logX = chart.xScale == .log
        let finite = chart.points.filter { $0.x.isFinite && $0.y.isFinite && (!logX || $0.x > 0) }
        let xs = finite.map(\.x), ys = finite.map(\.y)
        let xRange = chart.xRange ?? Self.range(xs, log: logX)
        let yRange = chart.yRange ?? Self.range(ys, log: false)

        let yTop = Self.tick(yRange.upperBound), yBottom = Self.tick(yRange.lowerBound)
        let labelWidth = max(DisplayWidth.of(yTop), DisplayWidth.of(yBottom))
        let withAxes = area.width >= labelWidth + 6 && area.height >= 4
        var plot = area
        if withAxes {
            plot = Rect(
                x: area.x + labelWidth + 1, y: area.y, width: area.width - labelWidth - 1, height: area.height - 2)
            let axisStyle = CellStyle.fg(.border)
            let labelStyle = CellStyle.fg(.muted)
            for y in plot.y..<plot.maxY { put("│", x: plot.x - 1, y: y, style: axisStyle) }
            put("└", x: plot.x - 1, y: plot.maxY, style: axisStyle)
            for x in plot.x..<plot.maxX { put("─", x: x, y: plot.maxY, style: axisStyle) }
            text(
                DisplayWidth.pad(yTop, to: labelWidth, alignRight: true), at: .init(x: area.x, y: plot.y),
                style: labelStyle, clip: area)
            text(
                DisplayWidth.pad(yBottom, to: labelWidth, alignRight: true), at: .init(x: area.x, y: plot.maxY - 1),
                style: labelStyle, clip: area)
            let labelRow = Rect(x: plot.x - 1, y: plot.maxY + 1, width: plot.width + 1, height: 1)
            text(Self.tick(xRange.lowerBound), in: labelRow, style: labelStyle)
            text(Self.tick(xRange.upperBound), in: labelRow, style: labelStyle, alignment: .right)
            if !chart.xLabel.isEmpty {
                text(chart.xLabel, in: labelRow.inset(dx: 6, dy: 0), style: labelStyle, alignment: .center)
            }
            if !chart.yLabel.isEmpty, plot.height >= 3 {
                text(chart.yLabel, at: .init(x: plot.x + 1, y: plot.y), style: labelStyle, clip: plot)
            }
        }
        guard !plot.isEmpty, !finite.isEmpty else { return [] }

        func position(_ value: Double, in range: ClosedRange<Double>, log: Bool) -> Double {
            let (low, high, v) =
                log
                ? (Foundation.log(range.lowerBound), Foundation.log(range.upperBound), Foundation.log(value))
                : (range.lowerBound, range.upperBound, value)
            let span = high - low
            return min(max(span > 0 ? (v - low) / span : 0.5, 0), 1)
        }
        func column(_ x: Double) -> Int {
            plot.x + Int((position(x, in: xRange, log: logX) * Double(plot.width - 1)).rounded())
        }
        func row(_ y: Double) -> Int {
            plot.maxY - 1 - Int((position(y, in: yRange, log: false) * Double(plot.height - 1)).rounded())
        }

        if chart.connect, finite.count > 1 {
            let sorted = finite.sorted { $0.x < $1.x }
            for (a, b) in zip(sorted, sorted.dropFirst()) {
                let x0 = column(a.x), x1 = column(b.x)
                guard x1 > x0 + 1 else { continue }
                for x in (x0 + 1)..<x1 {
                    let t = Double(x - x0) / Double(x1 - x0)
                    put("·", x: x, y: row(a.y + t * (b.y - a.y)), style: .fg(.muted), clip: plot)
                }
            }
        }
        // The points by cell: one cell can stand for several points (their labels are joined).
        var cells: [Point: [Int]] = [:]
        var order: [Point] = []
        for (index, point) in chart.points.enumerated()
        where point.x.isFinite && point.y.isFinite && (!logX || point.x > 0) {
            let cell = Point(x: column(point.x), y: row(point.y))
            if cells[cell] == nil { order.append(cell) }
            cells[cell, default: []].append(index)
        }
        let markedStyle = CellStyle(foreground: .good, bold: true)
        for cell in order {
            let isMarked = chart.marked.map { cells[cell]?.contains($0) ?? false } ?? false
            put(isMarked ? "◆" : "●", x: cell.x, y: cell.y, style: isMarked ? markedStyle : .fg(.accent), clip: plot)
        }

        // Labels: the marked point's first, then left to right; each takes the first spot beside its point that
        // covers no point and no label placed before it.
        var taken = Set(order)
        var unplaced: [Int] = []
        let labelOrder = order.sorted { a, b in
            let aMarked = chart.marked.map { cells[a]?.contains($0) ?? false } ?? false
            let bMarked = chart.marked.map { cells[b]?.contains($0) ?? false } ?? false
            return aMarked != bMarked ? aMarked : (a.x, a.y) < (b.x, b.y)
        }
        for cell in labelOrder {
            let indices = cells[cell] ?? []
            let labels = indices.compactMap { chart.points[$0].label }
            guard !labels.isEmpty else { continue }
            let label = labels.joined(separator: "/")
            let width = DisplayWidth.of(label)
            let isMarked = chart.marked.map { indices.contains($0) } ?? false
            let near = [
                Point(x: cell.x + 1, y: cell.y), Point(x: cell.x - width, y: cell.y),
                Point(x: cell.x, y: cell.y - 1), Point(x: cell.x - width + 1, y: cell.y - 1),
                Point(x: cell.x, y: cell.y + 1), Point(x: cell.x - width + 1, y: cell.y + 1),
                Point(x: cell.x + 2, y: cell.y), Point(x: cell.x - width - 1, y: cell.y),
                Point(x: cell.x, y: cell.y + 2), Point(x: cell.x - width + 1, y: cell.y + 2),
                Point(x: cell.x, y: cell.y - 2), Point(x: cell.x - width + 1, y: cell.y - 2),
            ]
            // Points crowded on one row (equal recall, close latencies) can leave no near spot: then a label goes
            // straight above or below its point, further out, before it is given up.
            let further = (3...max(3, plot.height)).flatMap { distance in
                [
                    Point(x: cell.x, y: cell.y + distance), Point(x: cell.x, y: cell.y - distance),
                    Point(x: cell.x - width + 1, y: cell.y + distance),
                    Point(x: cell.x - width + 1, y: cell.y - distance),
                ]
            }
            let spots = near + further
            // A blank cell either side too (its own point aside), so a label never reads as another point's.
            let spot = spots.first { spot in
                spot.x >= plot.x && spot.x + width <= plot.maxX && spot.y >= plot.y && spot.y < plot.maxY
                    && !(-1...width).contains { offset in
                        let probe = Point(x: spot.x + offset, y: spot.y)
                        return probe != cell && taken.contains(probe)
                    }
            }
            guard let spot else {
                unplaced += indices.filter { chart.points[$0].label != nil }
                continue
            }
            text(label, at: spot, style: isMarked ? markedStyle : .fg(.accent), clip: plot)
            for offset in 0..<width { taken.insert(Point(x: spot.x + offset, y: spot.y)) }
        }
        return unplaced.sorted()
    }

    private static func range(_ values: [Double], log: Bool) -> ClosedRange<Double> {
        guard let low = values.min(), let high = values.max() else { return log ? 1...10 : 0...1 }
        guard low == high else { return low...high }
        return log ? (low / 1.5)...(high * 1.5) : (low - 0.5)...(high + 0.5)
    }

    /// A short axis label: two decimals under 10, whole numbers above.
    static func tick(_ value: Double) -> String {
        guard value.isFinite else { return "?" }
        return abs(value) < 10 ? String(format: "%.2f", value) : String(format: "%.0f", value)
    }
}
