/*
 * log.c: writes log lines to stderr. Under systemd each line starts with a
 * syslog priority (journald adds the time); otherwise with a UTC time and
 * the level, so a line read in a terminal stands on its own.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "proto.h"

#define LOG_LINE 2048  /* bytes of one line, its newline included */
#define LOG_HELD 65536 /* bytes of lines held for the end of a turn */

static enum log_level log_level = LOG_LEVEL_INFO;
static int log_journal;

/* Debug and info lines waiting for the end of the loop's turn. */
static struct {
	char buf[LOG_HELD];
	size_t len;
	void (*wake)(void *);
	void *arg;
} log_held;

/* Sets the threshold and whether stderr goes to the journal. */
void
log_init(enum log_level level, int journal)
{
	log_level = level;
	log_journal = journal;
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level
log_get_level(void)
{
	return log_level;
}

/*
 * Holds debug and info lines from now on, to be written together by
 * log_flush: a busy daemon logs a line for most requests, and a system
 * call for each would cost more than the line. wake(arg) is called when
 * the first line is held, for the caller to flush at the end of its
 * turn. Warnings and errors are written at once, after anything held.
 * A NULL wake writes what is held and stops holding.
 */
void
log_hold(void (*wake)(void *), void *arg)
{
	log_flush();
	log_held.wake = wake;
	log_held.arg = arg;
}

/* Writes the held lines in one write. */
void
log_flush(void)
{
	if (log_held.len == 0)
		return;
	fwrite(log_held.buf, 1, log_held.len, stderr);
	fflush(stderr);
	log_held.len = 0;
}

/* Writes one line, or holds it when it may wait (see log_hold). */
static void
log_put(enum log_level level, const char *line, size_t n)
{
	if (log_held.wake != NULL && level < LOG_LEVEL_WARNING) {
		if (log_held.len + n > sizeof log_held.buf)
			log_flush();
		if (log_held.len == 0)
			log_held.wake(log_held.arg);
		memcpy(log_held.buf + log_held.len, line, n);
		log_held.len += n;
		return;
	}
	log_flush();
	fwrite(line, 1, n, stderr);
	fflush(stderr);
}

static void log_vwrite(enum log_level, const char *, va_list)
    __attribute__((format(printf, 2, 0)));

/*
 * Makes one line and writes it in one write: stderr is unbuffered, and a
 * line written piece by piece costs a system call a piece and can
 * interleave with another process's. A line longer than LOG_LINE ends in
 * "...".
 */
static void
log_vwrite(enum log_level level, const char *fmt, va_list ap)
{
	static const int priority[] = {7, 6, 4, 3};
	static const char *word[] = {"debug", "info", "warning", "error"};
	char line[LOG_LINE], when[PROTO_TIME_LEN];
	int n, m;

	if (level < log_level)
		return;
	if (log_journal)
		n = snprintf(line, sizeof line, "<%d>", priority[level]);
	else {
		n = snprintf(line, sizeof line, "%s larderd %s: ",
		    proto_time_format(time(NULL), when, sizeof when),
		    word[level]);
	}
	m = vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	if (m < 0)
		m = 0;
	if ((size_t)(n + m) >= sizeof line - 1) {
		n = (int)sizeof line - 5;
		memcpy(line + n, "...", 3);
		n += 3;
	} else
		n += m;
	line[n++] = '\n';
	log_put(level, line, (size_t)n);
}

#define LOG_FN(name, level)                                                    \
	void name(const char *fmt, ...)                                        \
	{                                                                      \
		va_list ap;                                                    \
                                                                               \
		va_start(ap, fmt);                                             \
		log_vwrite(level, fmt, ap);                                    \
		va_end(ap);                                                    \
	}

LOG_FN(log_debug, LOG_LEVEL_DEBUG)
LOG_FN(log_info, LOG_LEVEL_INFO)
LOG_FN(log_warnx, LOG_LEVEL_WARNING)
LOG_FN(log_error, LOG_LEVEL_ERROR)
