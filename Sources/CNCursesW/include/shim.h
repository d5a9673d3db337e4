#ifndef OVERBLIK_CNCURSESW_SHIM_H
#define OVERBLIK_CNCURSESW_SHIM_H

// SwiftPM drops pkg-config's -D_XOPEN_SOURCE=600 ("prohibited flags"); without these the wide-character functions
// (mvaddwstr, get_wch) are not declared.
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include <locale.h>
#include <ncursesw/curses.h>
#include <stdbool.h>
#include <wchar.h>

// Locale: setlocale(LC_ALL, "") and, if that is not UTF-8, C.UTF-8. Returns 1 when the locale is UTF-8.
int ob_setup_locale(void);

// Accessors for globals and macros Swift cannot use directly.
WINDOW *ob_stdscr(void);
int ob_lines(void);
int ob_cols(void);
int ob_colors(void);
int ob_color_pairs(void);
attr_t ob_attr_normal(void);
attr_t ob_attr_bold(void);
attr_t ob_attr_reverse(void);
attr_t ob_attr_underline(void);
attr_t ob_attr_dim(void);
int ob_key_f(int n);
int ob_wcwidth(unsigned int scalar);

/* Hands the heap's free pages back to the system (glibc malloc_trim): after a large overview is replaced, the
   memory it used is free but would otherwise stay resident. Returns 1 if memory was released. */
int ob_release_free_memory(void);
/* At most this many malloc arenas (glibc M_ARENA_MAX); call before threads allocate. */
void ob_limit_malloc_arenas(int count);
/* Blocks of at least this many bytes get pages of their own, returned as soon as they are freed (glibc
   M_MMAP_THRESHOLD; setting it also stops glibc from raising it after each large free, which would put the next
   large blocks in the heap, where they leave holes). Call before threads allocate. */
void ob_fix_mmap_threshold(int bytes);

// Start and stop the screen. ob_start returns 0 on success. ob_stop is safe to call more than once.
int ob_start(void);
void ob_stop(void);

// Draw a run of text at (y, x) with attributes and a colour pair; text is a NUL-terminated wide string.
void ob_draw(int y, int x, const wchar_t *text, attr_t attrs, short pair);
void ob_move_cursor(int y, int x, int visible);
void ob_refresh(void);
// Read one key without waiting: returns ERR when none, OK for a character (in *out), KEY_CODE_YES for a key code.
int ob_read_key(unsigned int *out);
// After a resize: asks the terminal for its size and tells ncurses.
void ob_update_size(void);

// Restores the terminal saved at start (termios, alternate screen, cursor, attributes) from a signal handler or
// atexit; and installs handlers that do so on a crash and then re-raise.
void ob_install_crash_handlers(void);
// SIGINT, SIGTERM and SIGHUP write one byte to wake_fd (the UI loop then ends cleanly).
void ob_install_quit_signals(int wake_fd);
// The last quit signal received, or 0.
int ob_quit_signal(void);

#endif
