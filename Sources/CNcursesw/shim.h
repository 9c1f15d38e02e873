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
#endif
