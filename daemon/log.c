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

#define LOG_LINE 2048 /* bytes of one line, its newline included */

static enum log_level log_level = LOG_LEVEL_INFO;
static int log_journal;

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

static void log_vwrite(enum log_level, const char *, va_list)
    __attribute__((format(printf, 2, 0)));

/*
 * Writes one line in one write: stderr is unbuffered, and a line written
 * piece by piece costs a system call a piece and can interleave with
 * another process's. A line longer than LOG_LINE ends in "...".
 */
static void
log_vwrite(enum log_level level, const char *fmt, va_list ap)
{
	static const int priority[] = {7, 6, 4, 3};
	static const char *word[] = {"debug", "info", "warning", "error"};
	char line[LOG_LINE], when[32];
	struct tm tm;
	time_t now;
	int n, m;

	if (level < log_level)
		return;
	if (log_journal)
		n = snprintf(line, sizeof line, "<%d>", priority[level]);
	else {
		now = time(NULL);
		gmtime_r(&now, &tm);
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
		n = snprintf(line, sizeof line, "%s larderd %s: ", when,
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
	fwrite(line, 1, (size_t)n, stderr);
	fflush(stderr);
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
