/* notify.h: telling systemd how larderd is doing, when systemd asks. */
#ifndef LARDER_NOTIFY_H
#define LARDER_NOTIFY_H

#include <stdint.h>

void notify_ready(const char *);
void notify_status(const char *);
void notify_stopping(void);
void notify_watchdog(void);
uint64_t notify_watchdog_usec(void);

#endif
