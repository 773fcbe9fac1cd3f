/*
 * notify.c: the sd_notify protocol, through libsystemd when it was found
 * at build time: readiness, a status line with counts, the watchdog's
 * ping, and stopping. Without systemd (or without libsystemd) these do
 * nothing.
 */
#include <stdio.h>

#include "notify.h"

#ifdef LARDER_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>

/* Says the daemon is ready to serve, with a first status line. */
void
notify_ready(const char *status)
{
	sd_notifyf(0, "READY=1\nSTATUS=%s", status);
}

void
notify_status(const char *status)
{
	sd_notifyf(0, "STATUS=%s", status);
}

void
notify_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}

void
notify_watchdog(void)
{
	sd_notify(0, "WATCHDOG=1");
}

/* How often systemd wants a ping, in microseconds; 0 when it does not. */
uint64_t
notify_watchdog_usec(void)
{
	uint64_t usec = 0;

	return sd_watchdog_enabled(0, &usec) > 0 ? usec : 0;
}
#else
void
notify_ready(const char *status)
{
	(void)status;
}

void
notify_status(const char *status)
{
	(void)status;
}

void
notify_stopping(void)
{
}

void
notify_watchdog(void)
{
}

uint64_t
notify_watchdog_usec(void)
{
	return 0;
}
#endif
