/* log.h: larderd's one logger. */
#ifndef LARDER_LOG_H
#define LARDER_LOG_H

#include "config.h"

void log_init(enum log_level, int);
void log_set_level(enum log_level);
enum log_level log_get_level(void);
void log_hold(void (*)(void *), void *);
void log_flush(void);
void log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
