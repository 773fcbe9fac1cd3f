/* harness.c: starts larderd, runs larder and speaks the protocol raw. */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

#define HARNESS_MAX_LIVE 16 /* children the alarm must kill */
#define HARNESS_MAX_ARGV 40 /* arguments of one client run */
#define HARNESS_POLL_MS  10 /* between looks at a child or socket */
#define HARNESS_TMP_MAX  64 /* longest $TMPDIR: sun_path is 108 */

extern char **environ;

static pid_t live[HARNESS_MAX_LIVE];

/* Fails the current test at file:line with a formatted message. */
static void __attribute__((format(printf, 3, 4)))
harness_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	va_end(ap);
	print_error("%s\n", msg != NULL ? msg : "e2e: out of memory");
	free(msg);
	_fail(file, line);
}

/* Kills every child still running and ends the run: a test hung. */
static void
harness_alarm(int sig)
{
	static const char msg[] = "e2e: the time limit passed; killing "
	                          "larderd and larder and giving up\n";
	size_t i;

	(void)sig;
	for (i = 0; i < HARNESS_MAX_LIVE; i++) {
		if (live[i] > 0)
			kill(live[i], SIGKILL);
	}
	if (write(STDERR_FILENO, msg, sizeof msg - 1) == -1)
		_exit(2);
	_exit(1);
}

/* Remembers (add) or forgets a child that the alarm must kill. */
static void
harness_track(pid_t pid, int add)
{
	size_t i;

	for (i = 0; i < HARNESS_MAX_LIVE; i++) {
		if (add && live[i] == 0) {
			live[i] = pid;
			return;
		}
		if (!add && live[i] == pid) {
			live[i] = 0;
			return;
		}
	}
}

/* How many times longer than usual everything may take (valgrind). */
static int harness_slow = 1;

/*
 * Whether larderd runs under valgrind: LARDER_TEST_VALGRIND=1, set by
 * scripts/test for one run of the end-to-end tests.
 */
static int
harness_valgrind(void)
{
	const char *v = getenv("LARDER_TEST_VALGRIND");

	return v != NULL && strcmp(v, "1") == 0;
}

/* Sets the time limit of the whole run; call first in main. */
void
harness_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = harness_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	harness_slow = harness_valgrind() ? 10 : 1;
	alarm(HARNESS_LIMIT_S * harness_slow);
}

/* Returns the monotonic clock in milliseconds. */
static int64_t
harness_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads a whole file into a string; NULL when it cannot be read. */
char *
harness_slurp(const char *path)
{
	FILE *f;
	char *buf = NULL;
	size_t len = 0, n;
	char chunk[4096];

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	do {
		n = fread(chunk, 1, sizeof chunk, f);
		buf = realloc(buf, len + n + 1);
		if (buf == NULL)
			break;
		memcpy(buf + len, chunk, n);
		len += n;
		buf[len] = '\0';
	} while (n == sizeof chunk);
	fclose(f);
	return buf;
}

/* Writes now plus offset seconds as RFC 3339 UTC. */
char *
harness_time(char *buf, size_t len, long offset)
{
	time_t t = time(NULL) + offset;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

/* Whether text holds part; a NULL text holds nothing. */
int
harness_contains(const char *text, const char *part)
{
	return text != NULL && strstr(text, part) != NULL;
}

/* Whether an environment entry is one the children must not inherit. */
static int
harness_env_dropped(const char *entry)
{
	return strncmp(entry, "LARDER_", 7) == 0 ||
	    strncmp(entry, "HOME=", 5) == 0 ||
	    strncmp(entry, "JOURNAL_STREAM=", 15) == 0 ||
	    strncmp(entry, "NOTIFY_SOCKET=", 14) == 0;
}

/*
 * Builds a child's environment: ours without LARDER_* and the like, HOME
 * in the test directory (so no user's client settings apply), then extra.
 */
static char **
harness_env(const char *home, const char *const *extra)
{
	size_t n = 0, i, k = 0;
	char **env;

	while (environ[n] != NULL)
		n++;
	for (i = 0; extra != NULL && extra[i] != NULL; i++)
		n++;
	if ((env = calloc(n + 2, sizeof *env)) == NULL)
		return NULL;
	for (i = 0; environ[i] != NULL; i++) {
		if (!harness_env_dropped(environ[i]))
			env[k++] = strdup(environ[i]);
	}
	if (asprintf(&env[k++], "HOME=%s", home) == -1)
		env[k - 1] = NULL;
	for (i = 0; extra != NULL && extra[i] != NULL; i++)
		env[k++] = strdup(extra[i]);
	env[k] = NULL;
	return env;
}

/* Frees an environment from harness_env. */
static void
harness_env_free(char **env)
{
	size_t i;

	for (i = 0; env != NULL && env[i] != NULL; i++)
		free(env[i]);
	free(env);
}

/*
 * Forks and runs path in cwd with stdout and stderr on the given fds. The
 * child dies with us, so a crashed test leaves no daemon behind.
 */
static pid_t
harness_spawn(const char *const *argv, char **env, const char *cwd, int out_fd,
    int err_fd)
{
	char *args[HARNESS_MAX_ARGV + 1];
	pid_t parent = getpid(), pid;
	int null_fd;
	size_t i;

	if ((pid = fork()) != 0) {
		if (pid > 0)
			harness_track(pid, 1);
		return pid;
	}
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		_exit(126);
	null_fd = open("/dev/null", O_RDONLY);
	if (null_fd == -1 || dup2(null_fd, STDIN_FILENO) == -1 ||
	    dup2(out_fd, STDOUT_FILENO) == -1 ||
	    dup2(err_fd, STDERR_FILENO) == -1 || chdir(cwd) != 0)
		_exit(126);
	signal(SIGPIPE, SIG_DFL);
	for (i = 0; argv[i] != NULL && i < HARNESS_MAX_ARGV; i++)
		args[i] = strdup(argv[i]);
	args[i] = NULL;
	execve(args[0], args, env);
	dprintf(STDERR_FILENO, "e2e: cannot run %s: %s\n", argv[0],
	    strerror(errno));
	_exit(127);
}

/* Turns a wait status into an exit code, 128 + signal when killed. */
static int
harness_exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

/* Reaps pid within ms; 0 with *status set, or -1 when still running. */
static int
harness_wait(pid_t pid, int ms, int *status)
{
	int64_t deadline = harness_now_ms() + ms;
	pid_t rc;

	for (;;) {
		rc = waitpid(pid, status, WNOHANG);
		if (rc == pid || (rc == -1 && errno != EINTR)) {
			harness_track(pid, 0);
			if (rc == -1)
				*status = 0;
			return 0;
		}
		if (harness_now_ms() >= deadline)
			return -1;
		poll(NULL, 0, HARNESS_POLL_MS);
	}
}

/* Collects NULL-terminated variable arguments after n fixed ones. */
static void
harness_args(const char **argv, size_t n, va_list ap)
{
	const char *arg;

	while ((arg = va_arg(ap, const char *)) != NULL &&
	    n < HARNESS_MAX_ARGV - 1)
		argv[n++] = arg;
	argv[n] = NULL;
}

/* Picks a free TCP port on the loopback address. */
static int
daemon_pick_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	int fd, port = -1;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &len) == 0)
		port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

/* Connects to a Unix socket; -1 when nothing listens there. */
static int
wire_dial_unix(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path)
		return -1;
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0)
		return fd;
	close(fd);
	return -1;
}

/* Connects to 127.0.0.1:port; -1 when refused. */
static int
wire_dial_tcp(int port)
{
	struct sockaddr_in sin;
	int fd, one = 1;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) == 0)
		return fd;
	close(fd);
	return -1;
}

/* Takes a complete line out of the wire's buffer; 1 when there was one. */
static int
wire_take_line(struct wire *w, char **line)
{
	char *nl;
	size_t n;

	nl = w->len > 0 ? memchr(w->buf, '\n', w->len) : NULL;
	if (nl == NULL)
		return 0;
	n = (size_t)(nl - w->buf);
	if ((*line = malloc(n + 1)) == NULL)
		return 0;
	memcpy(*line, w->buf, n);
	(*line)[n] = '\0';
	memmove(w->buf, nl + 1, w->len - n - 1);
	w->len -= n + 1;
	return 1;
}

/* Reads more bytes within ms; 1 read, 0 end of stream, -1 timed out. */
static int
wire_fill(struct wire *w, int ms)
{
	struct pollfd pfd = {w->fd, POLLIN, 0};
	ssize_t n;

	if (poll(&pfd, 1, ms < 0 ? 0 : ms) <= 0)
		return -1;
	if (w->cap - w->len < 65536) {
		w->cap = w->len + 65536;
		if ((w->buf = realloc(w->buf, w->cap)) == NULL)
			return 0;
	}
	do
		n = read(w->fd, w->buf + w->len, w->cap - w->len);
	while (n == -1 && errno == EINTR);
	if (n <= 0)
		return 0; /* the server closed (or reset) the session */
	w->len += (size_t)n;
	return 1;
}

/* Reads one line within ms: 1 with *line, 0 at end of stream, -1 late. */
static int
wire_read_line(struct wire *w, int ms, char **line)
{
	int64_t deadline = harness_now_ms() + ms;
	int rc;

	while (!wire_take_line(w, line)) {
		rc = wire_fill(w, (int)(deadline - harness_now_ms()));
		if (rc != 1)
			return rc;
	}
	return 1;
}

/* Wraps a connected socket. */
static struct wire *
wire_new(int fd)
{
	struct wire *w;

	if ((w = calloc(1, sizeof *w)) == NULL) {
		close(fd);
		return NULL;
	}
	w->fd = fd;
	return w;
}

/* Asks the daemon for its status on the local socket; 0 if it answers. */
static int
daemon_ping(struct daemon_ctx *d, int ms)
{
	static const char req[] = "{\"v\":1,\"id\":0,\"op\":\"status\"}\n";
	struct wire *w;
	char *line = NULL;
	int fd, rc;

	if ((fd = wire_dial_unix(d->sock)) == -1)
		return -1;
	if ((w = wire_new(fd)) == NULL)
		return -1;
	rc = write(fd, req, sizeof req - 1) == (ssize_t)sizeof req - 1 &&
	        wire_read_line(w, ms, &line) == 1
	    ? 0
	    : -1;
	free(line);
	wire_close(w);
	return rc;
}

/* Removes one entry of a directory tree being deleted. */
static int
harness_rm_cb(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Fails a start: shows larderd's stderr and removes its directory. */
static void
daemon_fail_start(struct daemon_ctx *d, const char *why)
{
	char *err = harness_slurp(d->err_path);

	nftw(d->dir, harness_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	harness_fail(__FILE__, __LINE__, "larderd %s; its stderr:\n%s", why,
	    err != NULL ? err : "");
}

/*
 * Waits until larderd answers on its socket, which it does only once its
 * loop runs (so the demo tokens are printed and TCP listens). Fails the
 * test with larderd's stderr if it exits or takes too long.
 */
static void
daemon_wait_ready(struct daemon_ctx *d)
{
	int64_t deadline = harness_now_ms() + (HARNESS_WAIT_MS * harness_slow);
	int status;
	char why[64];

	while (harness_now_ms() < deadline) {
		if (harness_wait(d->pid, 0, &status) == 0) {
			d->pid = -1;
			snprintf(why, sizeof why,
			    "exited with status %d "
			    "before it was ready",
			    harness_exit_code(status));
			daemon_fail_start(d, why);
		}
		if (daemon_ping(d, (int)(deadline - harness_now_ms())) == 0)
			return;
		poll(NULL, 0, HARNESS_POLL_MS);
	}
	daemon_kill(d);
	snprintf(why, sizeof why, "was not ready within %d ms",
	    (HARNESS_WAIT_MS * harness_slow));
	daemon_fail_start(d, why);
}

/* Runs larderd on the context's directory and waits until it answers. */
static void
daemon_launch(struct daemon_ctx *d)
{
	const char *argv[HARNESS_MAX_ARGS + 16];
	char **env;
	size_t n = 0, i;
	int out_fd, err_fd;

	if (harness_valgrind()) {
		argv[n++] = "/usr/bin/valgrind";
		argv[n++] = "--quiet";
		argv[n++] = "--error-exitcode=99";
		argv[n++] = "--leak-check=full";
		argv[n++] = "--show-leak-kinds=definite,indirect";
		argv[n++] = "--errors-for-leak-kinds=definite,indirect";
	}
	argv[n++] = LARDER_BINARY_DIR "/larderd";
	argv[n++] = "--state-dir";
	argv[n++] = d->state;
	argv[n++] = "--listen";
	argv[n++] = d->addr;
	for (i = 0; d->extra[i] != NULL; i++)
		argv[n++] = d->extra[i];
	argv[n] = NULL;
	out_fd =
	    open(d->out_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	err_fd =
	    open(d->err_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	env = harness_env(d->dir, d->env);
	if (out_fd == -1 || err_fd == -1 || env == NULL)
		harness_fail(__FILE__, __LINE__,
		    "cannot set up larderd's "
		    "output in %s: %s",
		    d->dir, strerror(errno));
	d->pid = harness_spawn(argv, env, d->dir, out_fd, err_fd);
	harness_env_free(env);
	close(out_fd);
	close(err_fd);
	if (d->pid == -1)
		harness_fail(__FILE__, __LINE__, "fork: %s", strerror(errno));
	daemon_wait_ready(d);
}

/*
 * Fills in a context's paths under a fresh temporary directory, in
 * $TMPDIR unless that is too long for a Unix socket path beneath it.
 */
static int
daemon_paths(struct daemon_ctx *d)
{
	const char *tmp = getenv("TMPDIR");
	int bad = 0;

	if (tmp == NULL || *tmp == '\0' || strlen(tmp) > HARNESS_TMP_MAX)
		tmp = "/tmp";
	snprintf(d->dir, sizeof d->dir, "%s/larder-e2e-XXXXXX", tmp);
	if (mkdtemp(d->dir) == NULL)
		return -1;
	bad |= snprintf(d->state, sizeof d->state, "%s/state", d->dir) < 0;
	bad |= snprintf(d->sock, sizeof d->sock, "%s/state/larderd.sock",
	           d->dir) < 0;
	bad |= snprintf(d->db, sizeof d->db, "%s/state/larder.db", d->dir) < 0;
	bad |= snprintf(d->out_path, sizeof d->out_path, "%s/larderd.out",
	           d->dir) < 0;
	bad |= snprintf(d->err_path, sizeof d->err_path, "%s/larderd.err",
	           d->dir) < 0;
	if (bad || (d->port = daemon_pick_port()) == -1)
		return -1;
	snprintf(d->addr, sizeof d->addr, "127.0.0.1:%d", d->port);
	return 0;
}

/* Makes a context: a fresh directory and a free port; nothing runs. */
struct daemon_ctx *
daemon_new(void)
{
	struct daemon_ctx *d;

	if ((d = calloc(1, sizeof *d)) == NULL)
		harness_fail(__FILE__, __LINE__, "out of memory");
	d->pid = -1;
	if (daemon_paths(d) != 0) {
		free(d);
		harness_fail(__FILE__, __LINE__,
		    "cannot make a test "
		    "directory or find a port: %s",
		    strerror(errno));
	}
	return d;
}

/* Keeps larderd's extra arguments, replacing any from before. */
static void
daemon_set_args(struct daemon_ctx *d, const char *arg, va_list ap)
{
	size_t n;

	for (n = 0; d->extra[n] != NULL; n++) {
		free(d->extra[n]);
		d->extra[n] = NULL;
	}
	for (n = 0; arg != NULL && n < HARNESS_MAX_ARGS; n++) {
		d->extra[n] = strdup(arg);
		arg = va_arg(ap, const char *);
	}
}

/*
 * Runs larderd on a context with extra arguments (NULL-terminated, e.g.
 * "--config", path, NULL) and waits until it answers.
 */
void
daemon_run(struct daemon_ctx *d, const char *arg, ...)
{
	va_list ap;

	if (d->pid != -1)
		harness_fail(__FILE__, __LINE__, "larderd is already running");
	va_start(ap, arg);
	daemon_set_args(d, arg, ap);
	va_end(ap);
	daemon_launch(d);
}

/*
 * Starts a larderd in a fresh directory with a free TCP port, with extra
 * arguments (NULL-terminated, e.g. "--demo", NULL), and waits until it
 * answers. Fails the test when it cannot.
 */
struct daemon_ctx *
daemon_start(const char *arg, ...)
{
	struct daemon_ctx *d = daemon_new();
	va_list ap;

	va_start(ap, arg);
	daemon_set_args(d, arg, ap);
	va_end(ap);
	daemon_launch(d);
	return d;
}

/* Starts larderd again on the same directory, port and arguments. */
void
daemon_restart(struct daemon_ctx *d)
{
	if (d->pid != -1)
		harness_fail(__FILE__, __LINE__, "larderd is still running");
	daemon_launch(d);
}

/*
 * Stops larderd with SIGTERM and returns its exit code. One that has not
 * exited within the deadline is killed and fails the test.
 */
int
daemon_stop(struct daemon_ctx *d)
{
	int status;

	if (d->pid == -1)
		harness_fail(__FILE__, __LINE__, "larderd is not running");
	kill(d->pid, SIGTERM);
	if (harness_wait(d->pid, (HARNESS_STOP_MS * harness_slow), &status) !=
	    0) {
		daemon_kill(d);
		harness_fail(__FILE__, __LINE__,
		    "larderd did not stop within "
		    "%d ms of SIGTERM",
		    (HARNESS_STOP_MS * harness_slow));
	}
	d->pid = -1;
	return harness_exit_code(status);
}

/* Kills larderd outright, as a crash or power cut would. */
void
daemon_kill(struct daemon_ctx *d)
{
	int status;

	if (d->pid == -1)
		return;
	kill(d->pid, SIGKILL);
	harness_wait(d->pid, (HARNESS_STOP_MS * harness_slow), &status);
	d->pid = -1;
}

/* Whether larderd is still running (reaping it if it is not). */
int
daemon_alive(struct daemon_ctx *d)
{
	int status;

	if (d->pid == -1)
		return 0;
	if (harness_wait(d->pid, 0, &status) == 0) {
		d->pid = -1;
		return 0;
	}
	return 1;
}

/* Tells, with its stderr, when larderd died on its own before the end. */
static void
daemon_report_death(struct daemon_ctx *d)
{
	int status;
	char *err;

	if (d->pid == -1 || harness_wait(d->pid, 0, &status) != 0)
		return;
	d->pid = -1;
	err = harness_slurp(d->err_path);
	print_error("e2e: larderd died during the tests with status %d; its "
	            "stderr:\n%s\n",
	    harness_exit_code(status), err != NULL ? err : "");
	free(err);
}

/*
 * Under valgrind, fails the test if larderd's stderr holds a report (with
 * --quiet, valgrind writes only errors, as lines "==PID== ...").
 */
static void
daemon_check_valgrind(struct daemon_ctx *d)
{
	char *err, *p;

	if (!harness_valgrind() || (err = harness_slurp(d->err_path)) == NULL)
		return;
	for (p = err; p != NULL; p = strchr(p + 1, '\n')) {
		const char *line = *p == '\n' ? p + 1 : p;

		if (line[0] == '=' && line[1] == '=' &&
		    isdigit((unsigned char)line[2])) {
			print_error(
			    "e2e: valgrind found errors in larderd:\n%s\n",
			    err);
			free(err);
			harness_fail(__FILE__, __LINE__, "valgrind errors");
		}
	}
	free(err);
}

/* Kills larderd if it runs, removes its directory and frees the context. */
void
daemon_free(struct daemon_ctx *d)
{
	size_t i;

	if (d == NULL)
		return;
	daemon_report_death(d);
	if (harness_valgrind() && d->pid != -1) {
		int status;

		/* A clean exit, so that valgrind looks for leaks. */
		kill(d->pid, SIGTERM);
		if (harness_wait(d->pid, HARNESS_STOP_MS * harness_slow,
		        &status) == 0)
			d->pid = -1;
	}
	daemon_kill(d);
	daemon_check_valgrind(d);
	nftw(d->dir, harness_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	for (i = 0; d->extra[i] != NULL; i++)
		free(d->extra[i]);
	free(d);
}

/*
 * Finds a demo member's token in larderd's stdout, where --demo prints
 * "  HANDLE  NAME  ldr_<64 hex>". The caller frees it.
 */
char *
daemon_token(struct daemon_ctx *d, const char *handle)
{
	char *out, *line, *save = NULL, *tok, *found = NULL;
	char first[64];

	if ((out = harness_slurp(d->out_path)) == NULL)
		harness_fail(__FILE__, __LINE__, "cannot read %s", d->out_path);
	for (line = strtok_r(out, "\n", &save); line != NULL && found == NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%63s", first) != 1 ||
		    strcmp(first, handle) != 0)
			continue;
		tok = strrchr(line, ' ');
		if (tok != NULL && strncmp(tok + 1, "ldr_", 4) == 0)
			found = strdup(tok + 1);
	}
	free(out);
	if (found == NULL)
		harness_fail(__FILE__, __LINE__,
		    "no token for %s in larderd's "
		    "stdout",
		    handle);
	return found;
}

/* Appends what is ready on fd to *buf; 0 at end of stream. */
static int
run_drain(int fd, char **buf, size_t *len)
{
	char chunk[4096];
	ssize_t n;

	do
		n = read(fd, chunk, sizeof chunk);
	while (n == -1 && errno == EINTR);
	if (n <= 0)
		return 0;
	if ((*buf = realloc(*buf, *len + (size_t)n + 1)) == NULL)
		return 0;
	memcpy(*buf + *len, chunk, (size_t)n);
	*len += (size_t)n;
	(*buf)[*len] = '\0';
	return 1;
}

/* Reads a child's stdout and stderr until both end or the deadline. */
static int
run_collect(int fds[2], struct run *r, int64_t deadline)
{
	struct pollfd pfd[2];
	size_t len[2] = {0, 0};
	char **bufs[2] = {&r->out, &r->err};
	int i, open_fds = 2;

	for (i = 0; i < 2; i++) {
		pfd[i].fd = fds[i];
		pfd[i].events = POLLIN;
	}
	while (open_fds > 0) {
		if (poll(pfd, 2, (int)(deadline - harness_now_ms())) <= 0)
			return -1;
		for (i = 0; i < 2; i++) {
			if (pfd[i].fd == -1 || pfd[i].revents == 0)
				continue;
			if (!run_drain(pfd[i].fd, bufs[i], &len[i])) {
				pfd[i].fd = -1;
				open_fds--;
			}
		}
	}
	return 0;
}

/* Makes the pipes of a client run; fds[0..1] ours, fds[2..3] its. */
static int
run_pipes(int fds[4])
{
	int out[2], err[2];

	if (pipe2(out, O_CLOEXEC) != 0)
		return -1;
	if (pipe2(err, O_CLOEXEC) != 0) {
		close(out[0]);
		close(out[1]);
		return -1;
	}
	fds[0] = out[0];
	fds[1] = err[0];
	fds[2] = out[1];
	fds[3] = err[1];
	return 0;
}

/* Waits for a client run to end, killing it at the deadline. */
static void
run_finish(pid_t pid, int fds[4], struct run *r, int64_t deadline)
{
	int late, status = 0;

	late = run_collect(fds, r, deadline) != 0;
	close(fds[0]);
	close(fds[1]);
	if (!late)
		late = harness_wait(pid, (int)(deadline - harness_now_ms()),
		           &status) != 0;
	if (late) {
		kill(pid, SIGKILL);
		harness_wait(pid, (HARNESS_STOP_MS * harness_slow), &status);
		harness_fail(__FILE__, __LINE__,
		    "a run took over %d ms; "
		    "stdout:\n%s\nstderr:\n%s",
		    (HARNESS_WAIT_MS * harness_slow),
		    r->out != NULL ? r->out : "", r->err != NULL ? r->err : "");
	}
	r->status = harness_exit_code(status);
	if (r->out == NULL)
		r->out = strdup("");
	if (r->err == NULL)
		r->err = strdup("");
}

/* Runs a program in the test directory and returns what it did. */
static struct run *
run_program(struct daemon_ctx *d, const char *const *env,
    const char *const *argv)
{
	char **envp;
	struct run *r;
	int fds[4] = {-1, -1, -1, -1};
	pid_t pid;

	if ((r = calloc(1, sizeof *r)) == NULL || run_pipes(fds) != 0)
		harness_fail(__FILE__, __LINE__, "cannot run %s: %s", argv[0],
		    strerror(errno));
	envp = harness_env(d->dir, env);
	pid = harness_spawn(argv, envp, d->dir, fds[2], fds[3]);
	harness_env_free(envp);
	close(fds[2]);
	close(fds[3]);
	if (pid == -1)
		harness_fail(__FILE__, __LINE__, "fork: %s", strerror(errno));
	run_finish(pid, fds, r,
	    harness_now_ms() + (HARNESS_WAIT_MS * harness_slow));
	return r;
}

/*
 * Runs the larder client in the test directory with these arguments and
 * extra environment (both NULL-terminated), and returns what it did.
 */
struct run *
run_larder(struct daemon_ctx *d, const char *const *env,
    const char *const *args)
{
	const char *argv[HARNESS_MAX_ARGV + 1];
	size_t n;

	argv[0] = LARDER_BINARY_DIR "/larder";
	for (n = 0; args[n] != NULL && n < HARNESS_MAX_ARGV - 1; n++)
		argv[n + 1] = args[n];
	argv[n + 1] = NULL;
	return run_program(d, env, argv);
}

/*
 * Runs another larderd on the context's state directory and port, with
 * extra arguments, to the end: for one that must refuse to start.
 */
struct run *
run_larderd(struct daemon_ctx *d, ...)
{
	const char *argv[HARNESS_MAX_ARGV];
	va_list ap;

	argv[0] = LARDER_BINARY_DIR "/larderd";
	argv[1] = "--state-dir";
	argv[2] = d->state;
	argv[3] = "--listen";
	argv[4] = d->addr;
	va_start(ap, d);
	harness_args(argv, 5, ap);
	va_end(ap);
	return run_program(d, NULL, argv);
}

/* Runs larder as the administrator, on the daemon's local socket. */
struct run *
run_admin(struct daemon_ctx *d, ...)
{
	const char *argv[HARNESS_MAX_ARGV];
	va_list ap;

	argv[0] = "--socket";
	argv[1] = d->sock;
	va_start(ap, d);
	harness_args(argv, 2, ap);
	va_end(ap);
	return run_larder(d, NULL, argv);
}

/* Runs larder as a member: its token and the TCP address from the env. */
struct run *
run_member(struct daemon_ctx *d, const char *token, ...)
{
	const char *argv[HARNESS_MAX_ARGV];
	char tok[256], addr[64];
	const char *env[] = {tok, addr, NULL};
	va_list ap;

	snprintf(tok, sizeof tok, "LARDER_TOKEN=%s", token);
	snprintf(addr, sizeof addr, "LARDER_ADDR=%s", d->addr);
	va_start(ap, token);
	harness_args(argv, 0, ap);
	va_end(ap);
	return run_larder(d, env, argv);
}

/* Frees what a client run returned. */
void
run_free(struct run *r)
{
	if (r == NULL)
		return;
	free(r->out);
	free(r->err);
	free(r);
}

/* Opens a raw session on the daemon's Unix socket (as administrator). */
struct wire *
wire_unix(struct daemon_ctx *d)
{
	int fd;

	if ((fd = wire_dial_unix(d->sock)) == -1)
		harness_fail(__FILE__, __LINE__, "cannot connect to %s: %s",
		    d->sock, strerror(errno));
	return wire_new(fd);
}

/* Opens a raw session on the daemon's TCP port. */
struct wire *
wire_tcp(struct daemon_ctx *d)
{
	int fd;

	if ((fd = wire_dial_tcp(d->port)) == -1)
		harness_fail(__FILE__, __LINE__, "cannot connect to %s: %s",
		    d->addr, strerror(errno));
	return wire_new(fd);
}

/* Opens a TCP session and says hello with a member's token. */
struct wire *
wire_member(struct daemon_ctx *d, const char *token)
{
	struct wire *w = wire_tcp(d);

	assert_reply_ok(wire_call(w,
	    "{\"v\":1,\"id\":1,\"op\":\"hello\","
	    "\"token\":\"%s\"}",
	    token));
	return w;
}

/* Closes a raw session and frees its last reply. */
void
wire_close(struct wire *w)
{
	if (w == NULL)
		return;
	close(w->fd);
	free(w->buf);
	json_decref(w->last);
	free(w);
}

/* Sends bytes as they are. */
void
wire_send(struct wire *w, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(w->fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			harness_fail(__FILE__, __LINE__, "cannot send: %s",
			    strerror(errno));
		p += n;
		len -= (size_t)n;
	}
}

/*
 * Reads the next line, a reply or an event, or NULL when the server ends
 * the session. The line belongs to the wire and lasts until the next one
 * is read. Fails the test when nothing comes in time.
 */
json_t *
wire_next(struct wire *w)
{
	json_error_t error;
	char *line = NULL;
	int rc;

	json_decref(w->last);
	w->last = NULL;
	rc = wire_read_line(w, (HARNESS_WAIT_MS * harness_slow), &line);
	if (rc == 0)
		return NULL;
	if (rc != 1)
		harness_fail(__FILE__, __LINE__,
		    "nothing from the server "
		    "within %d ms",
		    (HARNESS_WAIT_MS * harness_slow));
	w->last = json_loads(line, 0, &error);
	if (w->last == NULL)
		harness_fail(__FILE__, __LINE__,
		    "a line that is not JSON "
		    "(%s): %s",
		    error.text, line);
	free(line);
	return w->last;
}

/* Reads the next reply, skipping events; fails if the session ends. */
json_t *
wire_recv(struct wire *w)
{
	json_t *line;

	do {
		if ((line = wire_next(w)) == NULL)
			harness_fail(__FILE__, __LINE__,
			    "the server closed "
			    "the session instead of replying");
	} while (json_object_get(line, "event") != NULL);
	return line;
}

/* Sends one request line (a newline is added) and reads its reply. */
json_t *
wire_call(struct wire *w, const char *fmt, ...)
{
	va_list ap;
	char *text = NULL, *line;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n == -1 || (line = malloc((size_t)n + 1)) == NULL)
		harness_fail(__FILE__, __LINE__, "out of memory");
	/* One write: a request split in two would wait on delayed ACKs. */
	memcpy(line, text, (size_t)n);
	line[n] = '\n';
	wire_send(w, line, (size_t)n + 1);
	free(line);
	free(text);
	return wire_recv(w);
}

/*
 * Waits for the server to close the session: 1 when it did with nothing
 * more to say, 0 when another line came, -1 when it stayed open.
 */
int
wire_closed(struct wire *w)
{
	char *line = NULL;
	int rc;

	rc = wire_read_line(w, (HARNESS_WAIT_MS * harness_slow), &line);
	if (rc == 1) {
		print_error("e2e: expected the session to close, got: %s\n",
		    line);
		free(line);
		return 0;
	}
	return rc == 0 ? 1 : -1;
}

/* Returns an ok reply's result, borrowed. */
json_t *
reply_result(json_t *reply)
{
	return json_object_get(reply, "result");
}

/* Returns an error reply's message, or "". */
const char *
reply_message(json_t *reply)
{
	const char *msg;

	msg = json_string_value(
	    json_object_get(json_object_get(reply, "error"), "message"));
	return msg != NULL ? msg : "";
}

/* Fails with a reply shown as JSON after a message. */
static void
harness_fail_reply(json_t *reply, const char *what, const char *file, int line)
{
	char *text = reply != NULL ? json_dumps(reply, JSON_COMPACT) : NULL;

	print_error("e2e: expected %s; got %s\n", what,
	    text != NULL ? text : "(nothing)");
	free(text);
	_fail(file, line);
}

/* Fails at file:line unless the reply says ok. */
void
harness_assert_ok(json_t *reply, const char *file, int line)
{
	if (!json_is_true(json_object_get(reply, "ok")))
		harness_fail_reply(reply, "an ok reply", file, line);
}

/* Fails at file:line unless the reply is an error with this code. */
void
harness_assert_error(json_t *reply, const char *code, const char *file,
    int line)
{
	const char *got;
	char what[64];

	got = json_string_value(
	    json_object_get(json_object_get(reply, "error"), "code"));
	snprintf(what, sizeof what, "error %s", code);
	if (!json_is_false(json_object_get(reply, "ok")) || got == NULL ||
	    strcmp(got, code) != 0)
		harness_fail_reply(reply, what, file, line);
}

/* Fails at file:line unless the reply has this id (-1: null). */
void
harness_assert_id(json_t *reply, json_int_t id, const char *file, int line)
{
	json_t *got = json_object_get(reply, "id");
	char what[64];

	if (id == -1 ? json_is_null(got)
	             : json_is_integer(got) && json_integer_value(got) == id)
		return;
	if (id == -1)
		snprintf(what, sizeof what, "id null");
	else
		snprintf(what, sizeof what, "id %lld", (long long)id);
	harness_fail_reply(reply, what, file, line);
}

/* Fails at file:line unless text holds part. */
void
harness_assert_has(const char *text, const char *part, const char *file,
    int line)
{
	if (!harness_contains(text, part))
		harness_fail(file, line, "e2e: expected to find \"%s\" in:\n%s",
		    part, text != NULL ? text : "(nothing)");
}

/* Fails at file:line unless the run exited with status. */
void
harness_assert_exit(const struct run *r, int status, const char *file, int line)
{
	if (r->status != status)
		harness_fail(file, line,
		    "e2e: larder exited %d, not %d; "
		    "stdout:\n%s\nstderr:\n%s",
		    r->status, status, r->out, r->err);
}
