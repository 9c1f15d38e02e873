#ifndef CNCURSESW_SHIM_H
#define CNCURSESW_SHIM_H
// SwiftPM drops the -D flags pkg-config gives for ncursesw, so ask for the wide API here.
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <langinfo.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>
#include <ncursesw/ncurses.h>

// Globals and macros that do not import into Swift 6 (strict concurrency, function-like macros).
static inline WINDOW *CNcursesw_stdscr(void) { return stdscr; }
static inline int CNcursesw_lines(void) { return LINES; }
static inline int CNcursesw_cols(void) { return COLS; }
static inline int CNcursesw_color_pair(int n) { return (int)COLOR_PAIR(n); }
static inline int CNcursesw_a_bold(void) { return (int)A_BOLD; }
static inline int CNcursesw_a_reverse(void) { return (int)A_REVERSE; }
static inline int CNcursesw_a_underline(void) { return (int)A_UNDERLINE; }
static inline int CNcursesw_a_dim(void) { return (int)A_DIM; }
static inline int CNcursesw_key_resize(void) { return KEY_RESIZE; }
static inline void CNcursesw_set_locale(void) { setlocale(LC_ALL, ""); }

// Takes the user's locale; when it is not UTF-8 (LANG unset, as under a bare tmux or cron), falls back to C.UTF-8
// for character handling so wide characters still draw. Returns 1 when the locale is UTF-8 afterwards.
static inline int CNcursesw_set_utf8_locale(void) {
    setlocale(LC_ALL, "");
    const char *codeset = nl_langinfo(CODESET);
    if (codeset != NULL && strcmp(codeset, "UTF-8") == 0) return 1;
    if (setlocale(LC_CTYPE, "C.UTF-8") != NULL || setlocale(LC_CTYPE, "en_US.UTF-8") != NULL) return 1;
    return 0;
}

// What the terminal named by TERM can do, checked before initscr (which exits the process on an unknown TERM):
// 0 it can draw a full screen; 1 terminfo does not know it; 2 it cannot move the cursor (TERM=dumb, a hardcopy
// terminal), so a full-screen program cannot draw on it.
// (term.h's capability macros — `lines`, `columns`… — would leak into every name after it, so the three
// functions needed are declared here.)
struct term;
extern int setupterm(const char *, int, int *);
extern struct term *set_curterm(struct term *);
extern int del_curterm(struct term *);
static inline int CNcursesw_check_terminal(void) {
    int error = 0;
    if (setupterm(NULL, STDOUT_FILENO, &error) != OK) return error == 0 ? 2 : 1;
    char *cup = tigetstr("cup");
    int result = (cup == NULL || cup == (char *)-1 || tigetflag("hc") > 0) ? 2 : 0;
    del_curterm(set_curterm(NULL));
    return result;
}

// Mouse: clicks and the wheel only (no motion), reported at once (no click interval).
static inline void CNcursesw_enable_mouse(void) {
    mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
    mouseinterval(0);
}
static inline int CNcursesw_key_mouse(void) { return KEY_MOUSE; }
// The pending mouse event: 1 a left click, 2 wheel up, 3 wheel down, 0 anything else (or none).
static inline int CNcursesw_read_mouse(int *x, int *y) {
    MEVENT event;
    if (getmouse(&event) != OK) return 0;
    *x = event.x;
    *y = event.y;
    if (event.bstate & BUTTON1_PRESSED) return 1;
    if (event.bstate & BUTTON4_PRESSED) return 2;
    if (event.bstate & BUTTON5_PRESSED) return 3;
    return 0;
}

static inline int CNcursesw_a_normal(void) { return (int)A_NORMAL; }
static inline WINDOW *CNcursesw_curscr(void) { return curscr; }
static inline int CNcursesw_colors(void) { return COLORS; }
static inline int CNcursesw_color_pairs(void) { return COLOR_PAIRS; }

// Writes bytes straight to the terminal (escape sequences ncurses has no capability for, e.g. bracketed paste).
static inline void CNcursesw_write_raw(const char *bytes) {
    size_t length = strlen(bytes);
    while (length > 0) {
        ssize_t n = write(STDOUT_FILENO, bytes, length);
        if (n <= 0) return;
        bytes += n;
        length -= (size_t)n;
    }
}

// Terminal restoration on signals. The handler runs in signal context, so it is C: it ends curses mode, turns
// bracketed paste off and the cursor on, then hands the signal to whoever handled it before (the Swift runtime's
// backtracer for crashes, the default action otherwise) so the exit status and crash report stay as they were.
// The storage lives in functions: Swift emits inline functions it calls, but not a header's global variables.
static inline struct sigaction *CNcursesw_saved_actions(void) {
    static struct sigaction saved[NSIG];
    return saved;
}
static inline const int *CNcursesw_restore_signals(size_t *count) {
    static const int numbers[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP };
    *count = sizeof numbers / sizeof numbers[0];
    return numbers;
}

static inline void CNcursesw_restore_on_signal(int signal_number) {
    endwin();
    static const char reset[] = "\033[?2004l\033[?25h";
    ssize_t ignored = write(STDOUT_FILENO, reset, sizeof reset - 1);
    (void)ignored;
    if (signal_number > 0 && signal_number < NSIG) {
        sigaction(signal_number, &CNcursesw_saved_actions()[signal_number], NULL);
    }
    raise(signal_number);
}

static inline void CNcursesw_install_restore_handlers(void) {
    size_t count = 0;
    const int *numbers = CNcursesw_restore_signals(&count);
    struct sigaction *saved = CNcursesw_saved_actions();
    for (size_t i = 0; i < count; i++) {
        int number = numbers[i];
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = CNcursesw_restore_on_signal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESETHAND | SA_NODEFER;
        sigaction(number, &action, &saved[number]);
        // A signal the process was told to ignore (nohup, a shell's background job) stays ignored.
        if (!(saved[number].sa_flags & SA_SIGINFO) && saved[number].sa_handler == SIG_IGN) {
            sigaction(number, &saved[number], NULL);
        }
    }
}

static inline void CNcursesw_remove_restore_handlers(void) {
    size_t count = 0;
    const int *numbers = CNcursesw_restore_signals(&count);
    struct sigaction *saved = CNcursesw_saved_actions();
    for (size_t i = 0; i < count; i++) {
        sigaction(numbers[i], &saved[numbers[i]], NULL);
    }
}
#endif
