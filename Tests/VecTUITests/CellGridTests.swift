import Testing

@testable import VecTUI

@Suite("Display width")
struct DisplayWidthTests {
    @Test func asciiIsOneColumnEach() { #expect(DisplayWidth.of("vecscope") == 8) }
    @Test func cjkIsTwoColumnsEach() { #expect(DisplayWidth.of("田中") == 4) }
    @Test func hangulAndFullwidthAreWide() { #expect(DisplayWidth.of("한Ａ") == 4) }
    @Test func combiningMarkAddsNothing() { #expect(DisplayWidth.of("e\u{301}") == 1) }
    @Test func emojiIsWide() { #expect(DisplayWidth.of("🚀") == 2) }
    @Test func emojiPresentationSelectorMakesWide() { #expect(DisplayWidth.of("❤\u{FE0F}") == 2) }
    @Test func controlCharactersTakeNoColumns() { #expect(DisplayWidth.of("a\u{7}b") == 2) }
    @Test func truncateAddsEllipsisWithinWidth() { #expect(DisplayWidth.truncate("Kubernetes", to: 5) == "Kube…") }
    @Test func truncateNeverSplitsAWideCharacter() { #expect(DisplayWidth.truncate("田中太郎", to: 4) == "田…") }
    @Test func padRightAligns() { #expect(DisplayWidth.pad("7", to: 3, alignRight: true) == "  7") }
    @Test func padCountsWideCharacters() { #expect(DisplayWidth.pad("田", to: 4) == "田  ") }
}

@Suite("Cell grid")
struct CellGridTests {
    @Test func newGridIsBlank() {
        let grid = CellGrid(width: 3, height: 2)
        #expect(grid.lines() == ["   ", "   "])
    }

    @Test func textIsClippedToTheRect() {
        var grid = CellGrid(width: 10, height: 1)
        grid.text("abcdefgh", at: Point(x: 2, y: 0), clip: Rect(x: 2, y: 0, width: 4, height: 1))
        #expect(grid.lines() == ["  abcd    "])
    }

    @Test func wideCharactersTakeTwoCells() {
        var grid = CellGrid(width: 6, height: 1)
        let drawn = grid.text("田中x", at: Point(x: 0, y: 0))
        #expect(drawn == 5)
        #expect(grid.lines() == ["田中x "])
        #expect(grid[1, 0].isContinuation)
        #expect(grid[0, 0].width == 2)
    }

    @Test func wideCharacterAtTheClipEdgeBecomesASpace() {
        var grid = CellGrid(width: 3, height: 1)
        grid.text("a田", at: Point(x: 1, y: 0))
        #expect(grid.lines() == [" a "])
    }

    @Test func overwritingHalfAWideCharacterBlanksTheOtherHalf() {
        var grid = CellGrid(width: 4, height: 1)
        grid.text("田中", at: Point(x: 0, y: 0))
        grid.put("x", x: 1, y: 0)
        #expect(grid.lines() == [" x中"])
        grid.put("y", x: 2, y: 0)
        #expect(grid.lines() == [" xy "])
    }

    @Test func zeroSizedGridAcceptsEveryDrawingCall() {
        var grid = CellGrid(width: 0, height: 0)
        grid.text("hello", at: Point(x: 0, y: 0))
        grid.box(grid.bounds, title: "t")
        grid.fill(Rect(x: -5, y: -5, width: 10, height: 10), with: "x")
        grid.horizontalBar(0.5, in: grid.bounds)
        grid.chart(Chart(points: [.init(x: 1, y: 1)]), in: grid.bounds)
        #expect(grid.lines().isEmpty)
    }

    @Test func oneByOneGridAcceptsEveryDrawingCall() {
        var grid = CellGrid(width: 1, height: 1)
        grid.text("田", at: Point(x: 0, y: 0))
        #expect(grid.lines() == [" "])
        grid.box(grid.bounds, title: "title")
        grid.horizontalBar(1, in: grid.bounds)
        #expect(grid.lines() == ["█"])
        grid.chart(Chart(points: [.init(x: 1, y: 1), .init(x: 2, y: 3)], marked: 0), in: grid.bounds)
        grid.text("x", in: grid.bounds, alignment: .center)
        #expect(grid.lines() == ["x"])
    }

    @Test func negativeAndOutsideCoordinatesAreIgnored() {
        var grid = CellGrid(width: 3, height: 1)
        #expect(grid.put("x", x: -1, y: 0) == 0)
        #expect(grid.put("x", x: 3, y: 0) == 0)
        #expect(grid.put("x", x: 0, y: 1) == 0)
        #expect(grid.lines() == ["   "])
    }

    @Test func boxDrawsBorderAndTitle() {
        var grid = CellGrid(width: 12, height: 3)
        let inner = grid.box(grid.bounds, title: "Query")
        #expect(inner == Rect(x: 1, y: 1, width: 10, height: 1))
        #expect(grid.lines() == ["┌─ Query ──┐", "│          │", "└──────────┘"])
    }

    @Test func boxTitleIsTruncatedToFit() {
        var grid = CellGrid(width: 10, height: 2)
        grid.box(grid.bounds, title: "Parameters")
        #expect(grid.lines()[0] == "┌─ Par… ─┐")
    }

    @Test func horizontalBarUsesEighths() {
        var grid = CellGrid(width: 4, height: 1)
        grid.horizontalBar(0.5, in: grid.bounds)
        #expect(grid.lines() == ["██  "])
        grid.horizontalBar(0.3125, in: grid.bounds)
        #expect(grid.lines() == ["█▎  "])
    }

    @Test func chartMarksTheCurrentSetting() {
        var grid = CellGrid(width: 30, height: 8)
        let chart = Chart(
            points: [.init(x: 1, y: 0.5), .init(x: 5, y: 0.9, label: "ef=40"), .init(x: 10, y: 0.99)],
            marked: 1, xLabel: "p95 ms", yLabel: "recall")
        grid.chart(chart, in: grid.bounds)
        let text = grid.text
        #expect(text.contains("◆ef=40"))
        #expect(text.contains("●"))
        #expect(text.contains("└"))
        #expect(text.contains("0.99"))
        #expect(text.contains("p95 ms"))
    }

    /// The sweep's case: many points on one row (recall 1.00) with close latencies. Every point keeps its marker,
    /// every label is drawn, and no label touches a point other than its own.
    @Test func everyPointIsLabelledWithoutHidingOrTouchingAnother() {
        var grid = CellGrid(width: 50, height: 10)
        let values = [10, 20, 40, 80, 160, 320, 640]
        let latencies = [5.72, 7.76, 8.17, 6.55, 5.59, 5.80, 6.69]
        let chart = Chart(
            points: zip(values, latencies).map { .init(x: $1, y: 1, label: "\($0)") }, marked: 2,
            yRange: 0.95...1, connect: false, xScale: .log)
        let unplaced = grid.chart(chart, in: grid.bounds)
        #expect(unplaced.isEmpty)
        let rows = grid.lines()
        let markers = rows.joined().filter { $0 == "●" || $0 == "◆" }.count
        #expect(markers == values.count)
        for value in values {
            #expect(rows.contains { $0.contains("\(value)") }, "label \(value) is missing")
        }
        // A label has a marker on one side at most (its own point's): none reads as another point's.
        for row in rows {
            let cells = Array(row)
            var x = 0
            while x < cells.count {
                guard cells[x].isNumber || cells[x] == "/" else {
                    x += 1
                    continue
                }
                let start = x
                while x < cells.count && (cells[x].isNumber || cells[x] == "/" || cells[x] == ".") { x += 1 }
                let neighbours = [start - 1, x].filter { cells.indices.contains($0) }.map { cells[$0] }
                #expect(neighbours.filter { $0 == "●" || $0 == "◆" }.count <= 1, "\(row)")
            }
        }
    }

    /// On a log axis a tenfold step takes the same width wherever it is, so 1, 10 and 100 sit at both ends and
    /// the middle.
    @Test func aLogAxisSpreadsFactorsEvenly() {
        var grid = CellGrid(width: 26, height: 6)
        grid.chart(
            Chart(
                points: [.init(x: 1, y: 0), .init(x: 10, y: 0), .init(x: 100, y: 0)], yRange: 0...1,
                connect: false, xScale: .log),
            in: grid.bounds)
        let row = grid.lines()[3]
        let columns = row.enumerated().filter { $0.element == "●" }.map(\.offset)
        #expect(columns.count == 3)
        #expect(columns[1] - columns[0] == columns[2] - columns[1])
        #expect(grid.lines()[5].hasPrefix("    1.00"))
        #expect(grid.lines()[5].hasSuffix("100"))
    }

    /// Two points in one cell share one marker and one label.
    @Test func pointsInOneCellShareALabel() {
        var grid = CellGrid(width: 30, height: 8)
        let chart = Chart(
            points: [
                .init(x: 1, y: 0.5, label: "10"), .init(x: 9.99, y: 1, label: "320"),
                .init(x: 10, y: 1, label: "640"),
            ],
            yRange: 0...1, connect: false)
        #expect(grid.chart(chart, in: grid.bounds).isEmpty)
        #expect(grid.text.contains("●320/640") || grid.text.contains("320/640●"))
    }

    /// A chart too small for every label reports which points it could not label.
    /// The probes sweep an e2e run drew at 80×24: recall 1.00 everywhere and five p95s within 1 ms, so the near spots
    /// of "64" (between 16 and the marked 1) were all taken; it goes further below its point instead.
    @Test func crowdedPointsOnOneRowAreAllLabelled() {
        var grid = CellGrid(width: 46, height: 11)
        let probes = [1, 2, 4, 8, 16, 32, 64, 128]
        let p95 = [9.19, 11.11, 27.84, 12.29, 8.86, 23.60, 9.11, 8.25]
        let chart = Chart(
            points: zip(probes, p95).map { .init(x: $1, y: 1, label: "\($0)") }, marked: 0,
            yRange: 0.95...1, connect: false, xScale: .log)
        let unplaced = grid.chart(chart, in: grid.bounds)
        #expect(unplaced.isEmpty, "\(unplaced) unlabelled:\n\(grid.lines().joined(separator: "\n"))")
        for value in probes { #expect(grid.lines().contains { $0.contains("\(value)") }, "label \(value)") }
    }

    @Test func aCrampedChartReportsTheLabelsItCouldNotPlace() {
        var grid = CellGrid(width: 14, height: 5)
        let chart = Chart(
            points: (1...6).map { .init(x: Double($0), y: 1, label: "ef=\($0)0") }, yRange: 0...1, connect: false)
        let unplaced = grid.chart(chart, in: grid.bounds)
        #expect(!unplaced.isEmpty)
        for index in unplaced { #expect(!grid.text.contains("ef=\(index + 1)0")) }
    }

    @Test func chartWithoutPointsDrawsAxesOnly() {
        var grid = CellGrid(width: 20, height: 6)
        grid.chart(Chart(points: []), in: grid.bounds)
        #expect(grid.text.contains("└"))
        #expect(!grid.text.contains("●"))
    }

    @Test func wrapBreaksAtSpacesAndSplitsLongWords() {
        #expect(TextWrap.wrap("vector search with pgvector", width: 10) == ["vector", "search", "with", "pgvector"])
        #expect(TextWrap.wrap("abcdefghij", width: 4) == ["abcd", "efgh", "ij"])
        #expect(TextWrap.wrap("one\n\ntwo", width: 10) == ["one", "", "two"])
    }

    @Test func wrapCountsWideCharacters() {
        #expect(TextWrap.wrap("田中太郎です", width: 5) == ["田中", "太郎", "です"])
    }
}
