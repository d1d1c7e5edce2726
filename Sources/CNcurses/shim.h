#ifndef BURROW_CNCURSES_SHIM_H
#define BURROW_CNCURSES_SHIM_H
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <signal.h>
#include <unistd.h>
#include <ncursesw/curses.h>
// Swift 6 treats these C globals/macros as unsafe shared state; read them
// through functions instead.
static inline int burrow_lines(void) { return LINES; }
static inline int burrow_cols(void) { return COLS; }
static inline int burrow_colors(void) { return COLORS; }
static inline int burrow_color_pairs(void) { return COLOR_PAIRS; }
static inline WINDOW *burrow_stdscr(void) { return stdscr; }
static inline int burrow_color_pair(int n) { return COLOR_PAIR(n); }
static inline int burrow_key_resize(void) { return KEY_RESIZE; }
static inline int burrow_key_mouse(void) { return KEY_MOUSE; }
static inline unsigned long burrow_mouse_mask(void) {
#ifdef BUTTON5_PRESSED
    return BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED;
#else
    return BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED;
#endif
}
static inline int burrow_is_button1(unsigned long state) {
    return (state & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED)) != 0;
}
static inline int burrow_is_wheel_up(unsigned long state) { return (state & BUTTON4_PRESSED) != 0; }
static inline int burrow_is_wheel_down(unsigned long state) {
#ifdef BUTTON5_PRESSED
    return (state & BUTTON5_PRESSED) != 0;
#else
    return 0;
#endif
}
static inline attr_t burrow_a_bold(void) { return A_BOLD; }
static inline attr_t burrow_a_dim(void) { return A_DIM; }
static inline attr_t burrow_a_reverse(void) { return A_REVERSE; }
static inline attr_t burrow_a_underline(void) { return A_UNDERLINE; }

// Restoring the terminal from a signal: endwin() is what every curses
// program does here; then the signal is re-raised with its default action
// so the exit status stays honest (128 + signal).
static inline void burrow_restore_on_signal(int sig) {
    endwin();
    signal(sig, SIG_DFL);
    raise(sig);
}
static inline void burrow_install_signal_handlers(void) {
    signal(SIGINT, burrow_restore_on_signal);
    signal(SIGTERM, burrow_restore_on_signal);
    signal(SIGHUP, burrow_restore_on_signal);
    signal(SIGQUIT, burrow_restore_on_signal);
    signal(SIGABRT, burrow_restore_on_signal);
    signal(SIGSEGV, burrow_restore_on_signal);
    signal(SIGILL, burrow_restore_on_signal);
    signal(SIGTRAP, burrow_restore_on_signal);
    signal(SIGBUS, burrow_restore_on_signal);
}
static inline void burrow_reset_signal_handlers(void) {
    signal(SIGINT, SIG_DFL); signal(SIGTERM, SIG_DFL); signal(SIGHUP, SIG_DFL);
    signal(SIGQUIT, SIG_DFL); signal(SIGABRT, SIG_DFL); signal(SIGSEGV, SIG_DFL);
    signal(SIGILL, SIG_DFL); signal(SIGTRAP, SIG_DFL); signal(SIGBUS, SIG_DFL);
}
#endif
