#define _GNU_SOURCE 1
#include "shim.h"

#include <errno.h>
#include <malloc.h>
#include <langinfo.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static struct termios saved_termios;
static int have_saved_termios = 0;
static volatile sig_atomic_t screen_active = 0;
static volatile sig_atomic_t quit_signal = 0;
static int quit_fd = -1;

/* 2: the environment's locale is UTF-8; 1: it is not, and C.UTF-8 is used inside (so wide characters are still
   measured and read); 0: no UTF-8 locale at all. */
int ob_setup_locale(void) {
    setlocale(LC_ALL, "");
    const char *codeset = nl_langinfo(CODESET);
    if (codeset != NULL && strcmp(codeset, "UTF-8") == 0) return 2;
    if (setlocale(LC_ALL, "C.UTF-8") != NULL) {
        codeset = nl_langinfo(CODESET);
        return codeset != NULL && strcmp(codeset, "UTF-8") == 0 ? 1 : 0;
    }
    return 0;
}

WINDOW *ob_stdscr(void) { return stdscr; }
int ob_lines(void) { return LINES; }
int ob_cols(void) { return COLS; }
int ob_colors(void) { return has_colors() ? COLORS : 0; }
int ob_color_pairs(void) { return COLOR_PAIRS; }
attr_t ob_attr_normal(void) { return A_NORMAL; }
attr_t ob_attr_bold(void) { return A_BOLD; }
attr_t ob_attr_reverse(void) { return A_REVERSE; }
attr_t ob_attr_underline(void) { return A_UNDERLINE; }
attr_t ob_attr_dim(void) { return A_DIM; }
int ob_key_f(int n) { return KEY_F(n); }
int ob_wcwidth(unsigned int scalar) { return wcwidth((wchar_t)scalar); }
int ob_release_free_memory(void) { return malloc_trim(0); }
void ob_limit_malloc_arenas(int count) { mallopt(M_ARENA_MAX, count); }
void ob_fix_mmap_threshold(int bytes) { mallopt(M_MMAP_THRESHOLD, bytes); }

static const char restore_sequence[] = "\033[?1049l\033[?25h\033[0m";

static void restore_raw(void) {
    if (have_saved_termios) tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
    ssize_t ignored = write(STDOUT_FILENO, restore_sequence, sizeof(restore_sequence) - 1);
    (void)ignored;
}

void ob_stop(void) {
    if (screen_active) {
        screen_active = 0;
        endwin();
    }
    if (have_saved_termios) tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
}

static void at_exit_restore(void) { ob_stop(); }

int ob_start(void) {
    if (tcgetattr(STDIN_FILENO, &saved_termios) == 0) have_saved_termios = 1;
    atexit(at_exit_restore);
    if (initscr() == NULL) return -1;
    screen_active = 1;
    raw();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    if (has_colors()) {
        start_color();
        use_default_colors();
    }
    return 0;
}

void ob_draw(int y, int x, const wchar_t *text, attr_t attrs, short pair) {
    attr_set(attrs, pair, NULL);
    mvaddwstr(y, x, text);
    attr_set(A_NORMAL, 0, NULL);
}

void ob_move_cursor(int y, int x, int visible) {
    curs_set(visible ? 1 : 0);
    if (visible) move(y, x);
}

void ob_refresh(void) { refresh(); }

int ob_read_key(unsigned int *out) {
    wint_t ch = 0;
    int result = get_wch(&ch);
    *out = (unsigned int)ch;
    return result;
}

void ob_update_size(void) {
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
        resizeterm(ws.ws_row, ws.ws_col);
    }
}

static void crash_handler(int sig) {
    restore_raw();
    signal(sig, SIG_DFL);
    raise(sig);
}

void ob_install_crash_handlers(void) {
    int signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP};
    for (unsigned i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
        struct sigaction action;
        memset(&action, 0, sizeof(action));
        action.sa_handler = crash_handler;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESETHAND;
        sigaction(signals[i], &action, NULL);
    }
}

static void quit_handler(int sig) {
    int saved = errno;
    quit_signal = sig;
    if (quit_fd >= 0) {
        char byte = 'q';
        ssize_t ignored = write(quit_fd, &byte, 1);
        (void)ignored;
    }
    errno = saved;
}

void ob_install_quit_signals(int wake_fd) {
    quit_fd = wake_fd;
    int signals[] = {SIGINT, SIGTERM, SIGHUP};
    for (unsigned i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
        struct sigaction action;
        memset(&action, 0, sizeof(action));
        action.sa_handler = quit_handler;
        sigemptyset(&action.sa_mask);
        sigaction(signals[i], &action, NULL);
    }
}

int ob_quit_signal(void) { return quit_signal; }
