#ifndef BURROW_CNCURSES_SHIM_H
#define BURROW_CNCURSES_SHIM_H
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <signal.h>
#include <unistd.h>
#include <pthread.h>
#include <ncursesw/curses.h>
// Swift 6 treats these C globals/macros as unsafe shared state; read them
// through functions instead.
static inline int burrow_lines(void) { return LINES; }
static inline int burrow_cols(void) { return COLS; }
static inline int burrow_colors(void) { return COLORS; }
static inline int burrow_color_pairs(void) { return COLOR_PAIRS; }
static inline WINDOW *burrow_stdscr(void) { return stdscr; }
static inline WINDOW *burrow_curscr(void) { return curscr; }
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

// Restoring the terminal from a signal. SIGINT/SIGTERM/SIGHUP only raise a
// flag the UI loop polls (within 100 ms), so the quit is graceful: tunnels
// stopped, endwin() called. A second one, or a fatal signal, restores the
// terminal here with endwin() (what every curses program does) and re-raises
// with the default action so the exit status stays honest (128 + signal).
static volatile sig_atomic_t burrow_quit_signal_received = 0;
static inline void burrow_restore_on_signal(int sig) {
    endwin();
    signal(sig, SIG_DFL);
    raise(sig);
}
static inline void burrow_on_quit_signal(int sig) {
    if (burrow_quit_signal_received != 0) { burrow_restore_on_signal(sig); return; }
    burrow_quit_signal_received = sig;
}
static inline int burrow_pending_quit_signal(void) { return burrow_quit_signal_received; }
static inline void burrow_install_signal_handlers(void) {
    // A parent may have left these blocked (children inherit the mask);
    // unblock them on this, the UI thread, so resizes and quits arrive.
    sigset_t wanted;
    sigemptyset(&wanted);
    sigaddset(&wanted, SIGINT); sigaddset(&wanted, SIGTERM); sigaddset(&wanted, SIGHUP); sigaddset(&wanted, SIGWINCH);
    pthread_sigmask(SIG_UNBLOCK, &wanted, NULL);
    signal(SIGINT, burrow_on_quit_signal);
    signal(SIGTERM, burrow_on_quit_signal);
    signal(SIGHUP, burrow_on_quit_signal);
    signal(SIGQUIT, burrow_restore_on_signal);
    signal(SIGABRT, burrow_restore_on_signal);
    signal(SIGSEGV, burrow_restore_on_signal);
    signal(SIGILL, burrow_restore_on_signal);
    signal(SIGTRAP, burrow_restore_on_signal);
    signal(SIGBUS, burrow_restore_on_signal);
}
// Ctrl-Z (a key in raw mode): stop the whole process with the default
// action, from this thread and at once (raise on a thread where SIGTSTP is
// unblocked), so no handler of ncurses' runs on another thread meanwhile.
// Returns after SIGCONT (`fg`).
static inline void burrow_stop_process(void) {
    sigset_t tstp, previousMask;
    sigemptyset(&tstp);
    sigaddset(&tstp, SIGTSTP);
    pthread_sigmask(SIG_UNBLOCK, &tstp, &previousMask);
    void (*previous)(int) = signal(SIGTSTP, SIG_DFL);
    raise(SIGTSTP);
    signal(SIGTSTP, previous);
    pthread_sigmask(SIG_SETMASK, &previousMask, NULL);
}
static inline void burrow_reset_signal_handlers(void) {
    signal(SIGINT, SIG_DFL); signal(SIGTERM, SIG_DFL); signal(SIGHUP, SIG_DFL);
    signal(SIGQUIT, SIG_DFL); signal(SIGABRT, SIG_DFL); signal(SIGSEGV, SIG_DFL);
    signal(SIGILL, SIG_DFL); signal(SIGTRAP, SIG_DFL); signal(SIGBUS, SIG_DFL);
}
#endif
