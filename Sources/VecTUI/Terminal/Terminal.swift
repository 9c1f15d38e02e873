import CNcursesw
import Foundation

/// The one owner of ncurses: puts the terminal into curses mode, reads keys (UTF-8 via `get_wch`, bracketed
/// paste, modified arrows), maps colour roles to colour pairs (none under `NO_COLOR`), and flushes a `CellGrid` by
/// writing only the cells that changed since the previous frame.
///
/// The terminal is restored by `restore()`, by `deinit` as a safety net, and by C signal handlers on SIGINT,
/// SIGTERM, SIGHUP, SIGQUIT and crash signals (which then pass the signal on). Use it from one thread only; it is
/// deliberately not `Sendable`.
public final class Terminal {
    /// Why the terminal could not start.
    public struct StartError: Error, CustomStringConvertible {
        public var description: String
        /// What to do about it.
        public var fix: String?
    }

    private var active = false
    private var previous: CellGrid?
    private let colorsEnabled: Bool
    private var pairs: [PairKey: Int16] = [:]
    private var nextPair: Int16 = 1
    private var extendedKeys: [Int32: Key] = [:]
    private var pendingKeys: [Action] = []

    private struct PairKey: Hashable {
        var foreground: ColorRole
        var background: ColorRole
    }

    // Key codes we define ourselves for sequences terminfo may not know; far above ncurses' own and extended codes.
    private static let pasteStart: Int32 = 0x7100
    private static let pasteEnd: Int32 = 0x7101
    private static let customBase: Int32 = 0x7110

    /// Enters curses mode. Fails when stdin/stdout is not a terminal.
    /// - Parameter environment: read for `NO_COLOR` (any non-empty value turns colours off).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        try Self.checkUsable(environment: environment)
        _ = CNcursesw_set_utf8_locale()
        guard initscr() != nil else {
            throw StartError(
                description: "ncurses could not initialise the terminal",
                fix: "Check that TERM names a terminal type this system's terminfo knows.")
        }
        active = true
        CNcursesw_install_restore_handlers()
        raw()
        noecho()
        nonl()
        let screen = CNcursesw_stdscr()
        keypad(screen, true)
        intrflush(screen, false)
        set_escdelay(25)
        let noColor = !(environment["NO_COLOR"] ?? "").isEmpty
        colorsEnabled = !noColor && has_colors()
        if colorsEnabled {
            start_color()
            use_default_colors()
        }
        defineKeys()
        CNcursesw_enable_mouse()
        CNcursesw_write_raw("\u{1B}[?2004h")  // bracketed paste: a paste arrives as one action, not as keys
        curs_set(0)
    }

    /// Fails with what to do when the TUI cannot run here: stdin/stdout not a terminal, a TERM terminfo does not
    /// know, or a terminal that cannot move the cursor (TERM=dumb). Checked before anything else starts.
    public static func checkUsable(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw StartError(
                description: "vecscope's TUI needs a terminal, and stdin or stdout is not one",
                fix: "Run it in a terminal; in scripts use the subcommands (`vecscope --help` lists them).")
        }
        let term = environment["TERM"] ?? ""
        switch CNcursesw_check_terminal() {
        case 0: break
        case 1:
            throw StartError(
                description:
                    "the terminal type TERM=\(term.isEmpty ? "(unset)" : term) is unknown to this system's terminfo",
                fix:
                    "Set TERM to a type it knows (TERM=xterm-256color works in most terminals), or use the subcommands "
                    + "(`vecscope search`, `vecscope --help` lists them).")
        default:
            throw StartError(
                description:
                    "vecscope's TUI needs a terminal that can move the cursor, and TERM=\(term.isEmpty ? "(unset)" : term) cannot",
                fix: "Run it in a full-screen terminal (TERM=xterm-256color works in most), or use the subcommands "
                    + "(`vecscope search`, `vecscope --help` lists them).")
        }
    }

    deinit {
        assert(!active, "Terminal.restore() was not called before release")
        restore()
    }

    /// Leaves curses mode and puts the terminal back as it was. Safe to call more than once.
    public func restore() {
        guard active else { return }
        active = false
        CNcursesw_write_raw("\u{1B}[?2004l")
        curs_set(1)
        endwin()
        CNcursesw_remove_restore_handlers()
    }

    /// The terminal's current size.
    public var size: Size { Size(width: Int(CNcursesw_cols()), height: Int(CNcursesw_lines())) }

    // MARK: Input

    /// Waits up to `timeoutMilliseconds` for input and returns it as an action (`.key`, `.paste` or `.resize`),
    /// or nil when nothing arrived.
    public func nextAction(timeoutMilliseconds: Int32) -> Action? {
        if !pendingKeys.isEmpty { return pendingKeys.removeFirst() }
        let screen = CNcursesw_stdscr()
        wtimeout(screen, timeoutMilliseconds)
        guard let (kind, code) = readCode() else { return nil }
        if kind == KEY_CODE_YES {
            if code == CNcursesw_key_resize() {
                previous = nil
                return .resize(size)
            }
            if code == Self.pasteStart { return .paste(readPaste()) }
            if code == CNcursesw_key_mouse() { return readMouse() }
            if code == Self.pasteEnd { return nil }
            return functionKey(code).map(Action.key)
        }
        if code == 27 { return .key(readAfterEscape()) }
        return characterKey(code).map(Action.key)
    }

    /// One `get_wch` result: OK with a character, or KEY_CODE_YES with a key code.
    private func readCode() -> (Int32, Int32)? {
        var value: wint_t = 0
        let result = wget_wch(CNcursesw_stdscr(), &value)
        if result == ERR { return nil }
        return (result, Int32(bitPattern: value))
    }

    /// ESC alone is Escape; ESC followed at once by a key is Alt plus that key.
    private func readAfterEscape() -> Key {
        let screen = CNcursesw_stdscr()
        wtimeout(screen, 0)
        guard let (kind, code) = readCode() else { return .escape }
        if kind == KEY_CODE_YES {
            guard var key = functionKey(code) else { return .escape }
            key.modifiers.insert(.alt)
            return key
        }
        if code == 127 || code == 8 { return Key(.backspace, .alt) }
        guard var key = characterKey(code) else { return .escape }
        if key == .escape { return .escape }
        key.modifiers.insert(.alt)
        return key
    }

    /// The mouse event ncurses holds, as an action (nil for what the TUI does not use).
    private func readMouse() -> Action? {
        var x: Int32 = 0, y: Int32 = 0
        let point = { Point(x: Int(x), y: Int(y)) }
        switch CNcursesw_read_mouse(&x, &y) {
        case 1: return .mouse(.click, at: point())
        case 2: return .mouse(.wheelUp, at: point())
        case 3: return .mouse(.wheelDown, at: point())
        default: return nil
        }
    }

    /// Reads a bracketed paste up to its end marker (or a pause of a second).
    private func readPaste() -> String {
        let screen = CNcursesw_stdscr()
        wtimeout(screen, 1000)
        var text = ""
        while let (kind, code) = readCode() {
            if kind == KEY_CODE_YES {
                if code == Self.pasteEnd { break }
                if code == KEY_ENTER { text.append("\n") }
                continue
            }
            if code == 13 || code == 10 {
                text.append("\n")
            } else if code == 9 {
                text.append("\t")
            } else if code >= 32, let scalar = Unicode.Scalar(UInt32(code)) {
                text.unicodeScalars.append(scalar)
            }
        }
        return text
    }

    /// A character from `get_wch` (OK) as a key.
    private func characterKey(_ code: Int32) -> Key? {
        switch code {
        case 13: return .enter
        // Enter sends CR (curses is in nonl mode); LF is Ctrl-J, which the editor takes as a new line.
        case 10: return .ctrl("j")
        case 9: return .tab
        case 27: return .escape
        case 127, 8: return .backspace
        case 0: return Key(.char(" "), .control)
        case 1...26: return .ctrl(Character(Unicode.Scalar(UInt8(code + 96))))
        case 28...31: return nil
        default:
            guard let scalar = Unicode.Scalar(UInt32(bitPattern: code)) else { return nil }
            return .char(Character(scalar))
        }
    }

    /// A function key code from `get_wch` (KEY_CODE_YES) as a key.
    private func functionKey(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_DC: return .delete
        case KEY_IC: return Key(.insert)
        case KEY_BACKSPACE: return .backspace
        case KEY_ENTER: return .enter
        case KEY_BTAB: return .backTab
        case KEY_SLEFT: return Key(.left, .shift)
        case KEY_SRIGHT: return Key(.right, .shift)
        case KEY_SR: return Key(.up, .shift)
        case KEY_SF: return Key(.down, .shift)
        case KEY_SHOME: return Key(.home, .shift)
        case KEY_SEND: return Key(.end, .shift)
        case (KEY_F0 + 1)...(KEY_F0 + 24): return Key(.function(Int(code - KEY_F0)))
        default: return extendedKeys[code]
        }
    }

    /// Teaches ncurses the modified-key and paste sequences xterm-compatible terminals (and tmux) send, reusing
    /// any code terminfo already gives a sequence.
    private func defineKeys() {
        define_key("\u{1B}[200~", Self.pasteStart)
        define_key("\u{1B}[201~", Self.pasteEnd)
        let sequences: [(String, Key)] = [
            ("\u{1B}[1;5D", Key(.left, .control)), ("\u{1B}[1;5C", Key(.right, .control)),
            ("\u{1B}[1;5A", Key(.up, .control)), ("\u{1B}[1;5B", Key(.down, .control)),
            ("\u{1B}[1;3D", Key(.left, .alt)), ("\u{1B}[1;3C", Key(.right, .alt)),
            ("\u{1B}[1;3A", Key(.up, .alt)), ("\u{1B}[1;3B", Key(.down, .alt)),
            ("\u{1B}[1;2D", Key(.left, .shift)), ("\u{1B}[1;2C", Key(.right, .shift)),
            ("\u{1B}[1;2A", Key(.up, .shift)), ("\u{1B}[1;2B", Key(.down, .shift)),
            ("\u{1B}[1;5H", Key(.home, .control)), ("\u{1B}[1;5F", Key(.end, .control)),
            ("\u{1B}[3;5~", Key(.delete, .control)),
            ("\u{1B}[5D", Key(.left, .control)), ("\u{1B}[5C", Key(.right, .control)),  // rxvt-style
            ("\u{1B}Od", Key(.left, .control)), ("\u{1B}Oc", Key(.right, .control)),
        ]
        for (index, (sequence, key)) in sequences.enumerated() {
            let existing = key_defined(sequence)
            if existing > 0 {
                if functionKey(existing) == nil { extendedKeys[existing] = key }
            } else {
                let code = Self.customBase + Int32(index)
                define_key(sequence, code)
                extendedKeys[code] = key
            }
        }
    }

    // MARK: Output

    /// Draws a frame: only cells that differ from the previous frame are written, then the caret is placed.
    public func draw(_ grid: CellGrid) {
        guard active else { return }
        let screen = CNcursesw_stdscr()
        let full = previous == nil || previous?.size != grid.size
        if full { werase(screen) }
        for y in 0..<grid.height {
            for x in 0..<grid.width {
                let cell = grid[x, y]
                if cell.isContinuation { continue }
                if !full, let previous, previous[x, y] == cell { continue }
                put(cell, x: x, y: y)
            }
        }
        if let cursor = grid.cursor, cursor.x >= 0, cursor.y >= 0, cursor.x < grid.width, cursor.y < grid.height {
            curs_set(1)
            wmove(screen, Int32(cursor.y), Int32(cursor.x))
        } else {
            curs_set(0)
        }
        wrefresh(screen)
        previous = grid
    }

    /// Forces the next `draw` to repaint everything (after a resize, or Ctrl-L).
    public func invalidate() {
        previous = nil
        clearok(CNcursesw_curscr(), true)
    }

    private func put(_ cell: Cell, x: Int, y: Int) {
        var characters: [wchar_t] = cell.character.unicodeScalars.prefix(4).map { wchar_t(bitPattern: $0.value) }
        if characters.isEmpty || characters[0] < 32 { characters = [32] }
        characters.append(0)
        var attributes = attr_t(CNcursesw_a_normal())
        let style = cell.style
        if style.bold { attributes |= attr_t(CNcursesw_a_bold()) }
        if style.reverse { attributes |= attr_t(CNcursesw_a_reverse()) }
        if style.underline { attributes |= attr_t(CNcursesw_a_underline()) }
        if style.dim || (!colorsEnabled && style.foreground == .muted) { attributes |= attr_t(CNcursesw_a_dim()) }
        let pair = colorPair(style)
        var cchar = cchar_t()
        _ = characters.withUnsafeBufferPointer { buffer in
            setcchar(&cchar, buffer.baseAddress, attributes, pair, nil)
        }
        mvwadd_wch(CNcursesw_stdscr(), Int32(y), Int32(x), &cchar)
    }

    /// The colour pair for a style's roles, created on first use; 0 (the terminal's colours) without colour.
    private func colorPair(_ style: CellStyle) -> Int16 {
        guard colorsEnabled else { return 0 }
        let key = PairKey(foreground: style.foreground, background: style.background)
        if key.foreground == .normal && key.background == .normal { return 0 }
        if let pair = pairs[key] { return pair }
        guard Int32(nextPair) < CNcursesw_color_pairs() else { return 0 }
        let pair = nextPair
        nextPair += 1
        init_pair(pair, color(for: key.foreground, background: false), color(for: key.background, background: true))
        pairs[key] = pair
        return pair
    }

    /// The terminal colour for a role; −1 is the terminal's default.
    private func color(for role: ColorRole, background: Bool) -> Int16 {
        let rich = CNcursesw_colors() >= 16
        switch role {
        case .normal: return -1
        case .muted, .border: return rich ? 8 : -1
        case .accent: return Int16(COLOR_CYAN)
        case .title: return Int16(COLOR_BLUE)
        case .focus: return Int16(COLOR_GREEN)
        case .good: return Int16(COLOR_GREEN)
        case .warn: return Int16(COLOR_YELLOW)
        case .bad: return Int16(COLOR_RED)
        case .highlight: return Int16(COLOR_YELLOW)
        case .selection: return background ? (rich ? 8 : Int16(COLOR_BLUE)) : -1
        }
    }
}
