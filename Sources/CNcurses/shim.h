#ifndef BURROW_CNCURSES_SHIM_H
#define BURROW_CNCURSES_SHIM_H
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <ncursesw/curses.h>
// Swift 6 treats these C globals/macros as unsafe shared state; read them
// through functions instead.
static inline int burrow_lines(void) { return LINES; }
static inline int burrow_cols(void) { return COLS; }
static inline int burrow_colors(void) { return COLORS; }
static inline int burrow_color_pairs(void) { return COLOR_PAIRS; }
static inline WINDOW *burrow_stdscr(void) { return stdscr; }
static inline int burrow_color_pair(int n) { return COLOR_PAIR(n); }
#endif
