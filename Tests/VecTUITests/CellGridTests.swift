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
        #expect(text.contains("◆ ef=40"))
        #expect(text.contains("●"))
        #expect(text.contains("└"))
        #expect(text.contains("0.99"))
        #expect(text.contains("p95 ms"))
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
