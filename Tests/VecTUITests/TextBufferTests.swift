import Testing

@testable import VecTUI

@Suite("Query editor buffer")
struct TextBufferTests {
    @Test func typingInsertsAtTheCursor() {
        var buffer = TextBuffer("helo")
        buffer.moveLeft()
        buffer.insert("l")
        #expect(buffer.text == "hello")
        #expect(buffer.cursor == TextPosition(line: 0, column: 4))
    }

    @Test func pasteSplitsLinesAndNormalisesLineEndings() {
        var buffer = TextBuffer()
        buffer.insert("one\r\ntwo\rthree\tend")
        #expect(buffer.lines == ["one", "two", "three    end"])
        #expect(buffer.cursor == TextPosition(line: 2, column: 12))
    }

    @Test func pasteInTheMiddleKeepsTheRestOfTheLine() {
        var buffer = TextBuffer("start end")
        buffer.moveTo(TextPosition(line: 0, column: 6))
        buffer.insert("A\nB ")
        #expect(buffer.lines == ["start A", "B end"])
        #expect(buffer.cursor == TextPosition(line: 1, column: 2))
    }

    @Test func controlCharactersAreDropped() {
        var buffer = TextBuffer()
        buffer.insert("a\u{1B}[Ab")
        #expect(buffer.text == "a[Ab")
    }

    @Test func columnsCountGraphemesNotBytes() {
        var buffer = TextBuffer("田中 café 🚀")
        #expect(buffer.cursor.column == 9)
        buffer.deleteBackward()
        buffer.deleteBackward()
        #expect(buffer.text == "田中 café")
        buffer.moveToLineStart()
        buffer.moveRight()
        buffer.deleteForward()
        #expect(buffer.text == "田 café")
    }

    @Test func combiningMarkJoinsThePreviousCharacter() {
        var buffer = TextBuffer("cafe")
        buffer.insert("\u{301}")
        #expect(buffer.text == "caf\u{E9}")
        #expect(buffer.cursor.column == 4)
    }

    @Test func backspaceAtLineStartJoinsLines() {
        var buffer = TextBuffer("ab\ncd")
        buffer.moveTo(TextPosition(line: 1, column: 0))
        buffer.deleteBackward()
        #expect(buffer.lines == ["abcd"])
        #expect(buffer.cursor == TextPosition(line: 0, column: 2))
    }

    @Test func deleteAtLineEndJoinsTheNextLine() {
        var buffer = TextBuffer("ab\ncd")
        buffer.moveTo(TextPosition(line: 0, column: 2))
        buffer.deleteForward()
        #expect(buffer.lines == ["abcd"])
    }

    @Test func backspaceAtTheStartDoesNothing() {
        var buffer = TextBuffer("ab")
        buffer.moveToStart()
        buffer.deleteBackward()
        #expect(buffer.text == "ab")
    }

    @Test func wordRightMovesToTheEndOfTheNextWord() {
        var buffer = TextBuffer("senior  Go-developer, Kubernetes")
        buffer.moveToStart()
        buffer.moveWordRight()
        #expect(buffer.cursor.column == 6)
        buffer.moveWordRight()
        #expect(buffer.cursor.column == 10)
        buffer.moveWordRight()
        #expect(buffer.cursor.column == 20)
    }

    @Test func wordLeftMovesToTheStartOfThePreviousWord() {
        var buffer = TextBuffer("senior Go-developer")
        buffer.moveWordLeft()
        #expect(buffer.cursor.column == 10)
        buffer.moveWordLeft()
        #expect(buffer.cursor.column == 7)
    }

    @Test func wordJumpsCrossLines() {
        var buffer = TextBuffer("alpha\nbeta")
        buffer.moveTo(TextPosition(line: 1, column: 0))
        buffer.moveWordLeft()
        #expect(buffer.cursor == TextPosition(line: 0, column: 0))
        buffer.moveTo(TextPosition(line: 0, column: 5))
        buffer.moveWordRight()
        #expect(buffer.cursor == TextPosition(line: 1, column: 4))
    }

    @Test func wordJumpsTreatCJKAsWords() {
        var buffer = TextBuffer("検索 エンジン")
        buffer.moveWordLeft()
        #expect(buffer.cursor.column == 3)
    }

    @Test func deleteWordBackwardRemovesOneWord() {
        var buffer = TextBuffer("vector search  ")
        buffer.deleteWordBackward()
        #expect(buffer.text == "vector ")
    }

    @Test func verticalMovesClampTheColumn() {
        var buffer = TextBuffer("a long line\nab")
        buffer.moveTo(TextPosition(line: 0, column: 9))
        let down = buffer.moveDown()
        #expect(down)
        #expect(buffer.cursor == TextPosition(line: 1, column: 2))
        let downAgain = buffer.moveDown()
        #expect(!downAgain)
        let up = buffer.moveUp()
        #expect(up)
        #expect(buffer.cursor == TextPosition(line: 0, column: 2))
        let upAgain = buffer.moveUp()
        #expect(!upAgain)
    }

    @Test func killToLineEndAndStart() {
        var buffer = TextBuffer("keep this|drop that")
        buffer.moveTo(TextPosition(line: 0, column: 9))
        buffer.deleteToLineEnd()
        #expect(buffer.text == "keep this")
        buffer.moveTo(TextPosition(line: 0, column: 5))
        buffer.deleteToLineStart()
        #expect(buffer.text == "this")
        #expect(buffer.cursor.column == 0)
    }

    @Test func trimmedTextIsWhatGetsSearched() {
        #expect(TextBuffer("  \n Go developer \n\n").trimmedText == "Go developer")
    }

    @Test func historyBrowsesOlderThenBackToTheDraft() {
        var history = QueryHistory()
        history.record("first")
        history.record("second")
        history.record("first")
        #expect(history.entries == ["second", "first"])
        var seen: [String?] = []
        seen.append(history.older(current: "draft"))
        seen.append(history.older(current: "ignored"))
        seen.append(history.older(current: "ignored"))
        seen.append(history.newer())
        seen.append(history.newer())
        seen.append(history.newer())
        #expect(seen == ["first", "second", nil, "first", "draft", nil])
    }
}
