/* main.c: larderd, the Larder exchange daemon: options, setup, the loop. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jalloc.h"
#include "larderd.h"
#include "log.h"

struct options {
	const char *config;
	const char *state_dir;
	const char *socket;
	const char *listen;
	const char *clock;
	const char *rules;
	const char *restore;
	int check;
	int demo;
};

static void
usage(FILE *f)
{
	static const char *const lines[] = {
	    "usage: larderd [--config FILE] [--state-dir DIR] [--socket PATH]",
	    "               [--listen HOST:PORT|none] [--demo] [--rules FILE]",
	    "               [--clock real|manual] [--restore FILE] [--check]",
	    "               [--version] [--help]",
	    "",
	    "  -c, --config FILE     read settings from FILE (INI); without "
	    "it,",
	    "                        the embedded defaults apply",
	    "  -s, --state-dir DIR   keep the database and socket in DIR",
	    "                        (default ./larder-state)",
	    "  -S, --socket PATH     the administrator's socket",
	    "                        (default STATE_DIR/larderd.sock)",
	    "  -l, --listen ADDR     TCP address for members",
	    "                        (default 127.0.0.1:7411), or none",
	    "      --demo            seed an example network on first start",
	    "      --rules FILE      a new network's first rules, from a file",
	    "                        written by larder rules export",
	    "      --clock MODE      real, or manual: time moves only when the",
	    "                        administrator says (tests, "
	    "demonstrations)",
	    "      --restore FILE    replace the database with a backup made "
	    "by",
	    "                        larder backup, then exit",
	    "  -n, --check           check the configuration and exit",
	    "  -V, --version         print the version and exit",
	    "  -h, --help            print this help and exit",
	};
	size_t i;

	for (i = 0; i < sizeof lines / sizeof lines[0]; i++)
		fprintf(f, "%s\n", lines[i]);
}

/* Reads the command line; exits on --help, --version or a bad option. */
static void
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"state-dir", required_argument, NULL, 's'},
	    {"socket", required_argument, NULL, 'S'},
	    {"listen", required_argument, NULL, 'l'},
	    {"check", no_argument, NULL, 'n'}, {"demo", no_argument, NULL, 'D'},
	    {"clock", required_argument, NULL, 'C'},
	    {"rules", required_argument, NULL, 'R'},
	    {"restore", required_argument, NULL, 'X'},
	    {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	int ch;

	memset(o, 0, sizeof *o);
	while (
	    (ch = getopt_long(argc, argv, "c:s:S:l:nVh", longs, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->config = optarg;
			break;
		case 's':
			o->state_dir = optarg;
			break;
		case 'S':
			o->socket = optarg;
			break;
		case 'l':
			o->listen = optarg;
			break;
		case 'n':
			o->check = 1;
			break;
		case 'D':
			o->demo = 1;
			break;
		case 'C':
			o->clock = optarg;
			break;
		case 'R':
			o->rules = optarg;
			break;
		case 'X':
			o->restore = optarg;
			break;
		case 'V':
			printf("larderd %s (protocol %d)\n", LARDER_VERSION,
			    PROTO_VERSION);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind != argc) {
		usage(stderr);
		exit(2);
	}
}

/*
 * Takes the first rules of a new network from a constitution file (as
 * larder rules export writes it): its [rules] section replaces the
 * configuration's. A network that already has its rules keeps them.
 */
static int
load_rules(struct config *c, const char *path, char **cause)
{
	struct config *r;
	int rc;

	if ((r = config_new()) == NULL)
		return asprintf(cause, "out of memory"), -1;
	rc = config_load(r, path, cause);
	if (rc == 0) {
		c->rules = r->rules;
		c->seed_given = r->seed_given;
		c->rules_given = 1;
	}
	config_free(r);
	return rc;
}

/* Builds the configuration: defaults, then the file, then options. */
static struct config *
load_config(const struct options *o)
{
	struct config *c;
	char *cause = NULL;

	if ((c = config_new()) == NULL) {
		fprintf(stderr, "larderd: out of memory\n");
		exit(1);
	}
	if ((o->config != NULL && config_load(c, o->config, &cause) != 0) ||
	    (o->listen != NULL && config_set_listen(c, o->listen, &cause) != 0))
		goto fail;
	if (o->clock != NULL && strcmp(o->clock, "manual") != 0 &&
	    strcmp(o->clock, "real") != 0) {
		fprintf(stderr, "larderd: --clock takes real or manual\n");
		exit(2);
	}
	if (o->clock != NULL)
		c->manual_clock = strcmp(o->clock, "manual") == 0;
	if (o->socket != NULL) {
		free(c->socket_path);
		c->socket_path = strdup(o->socket);
	}
	if (o->state_dir != NULL) {
		free(c->state_dir);
		c->state_dir = strdup(o->state_dir);
	}
	if (o->rules != NULL && load_rules(c, o->rules, &cause) != 0)
		goto fail;
	if (config_finish(c, &cause) != 0)
		goto fail;
	return c;
fail:
	fprintf(stderr, "%s\n", cause != NULL ? cause : "out of memory");
	free(cause);
	config_free(c);
	exit(1);
}

/*
 * Settles the daemon's time zone: the configured one, else TZ, else the
 * system's. Members' "16:00" and "tomorrow" are read in this zone.
 */
static void
setup_timezone(struct larderd *d)
{
	const char *tz = d->conf->timezone;
	char link[PATH_MAX], *p;
	ssize_t n;
	FILE *f;

	if (tz == NULL)
		tz = getenv("TZ");
	if (tz == NULL && (f = fopen("/etc/timezone", "r")) != NULL) {
		if (fgets(link, sizeof link, f) != NULL) {
			link[strcspn(link, "\n")] = '\0';
			tz = link;
		}
		fclose(f);
	}
	if (tz == NULL &&
	    (n = readlink("/etc/localtime", link, sizeof link - 1)) > 0) {
		link[n] = '\0';
		p = strstr(link, "zoneinfo/");
		tz = p != NULL ? p + strlen("zoneinfo/") : NULL;
	}
	if (tz == NULL || *tz == '\0')
		tz = "UTC";
	snprintf(d->timezone, sizeof d->timezone, "%.127s", tz);
	setenv("TZ", d->timezone, 1);
	tzset();
}

/* Tells the person who started the daemon where it is and what next. */
static void
print_banner(const struct larderd *d)
{
	printf("larderd %s is running; state in %s\n", LARDER_VERSION,
	    d->conf->state_dir);
	printf("  administrator: larder on this machine, as this user "
	       "(socket %s)\n",
	    d->conf->socket_path);
	if (d->conf->listen != NULL)
		printf("  members: larder --addr %s with LARDER_TOKEN set\n",
		    d->conf->listen);
	printf("  time zone %s; stop with Ctrl-C\n", d->timezone);
	printf("next: larder member add NAME --name \"Full name\" --hub HUB "
	       "--people N --storage ambient\n");
	fflush(stdout);
}

/*
 * Replaces the database with a backup, after checking it, while holding
 * the state directory's lock so no daemon is running on it.
 */
static int
restore(struct larderd *d, const char *file)
{
	int64_t members, events;
	char *cause = NULL;

	if (server_lock_state(d, &cause) != 0 ||
	    store_check(file, &members, &events, &cause) != 0 ||
	    store_backup(file, d->conf->database, &cause) != 0) {
		fprintf(stderr, "larderd: restore: %s\n",
		    cause != NULL ? cause : "out of memory");
		free(cause);
		return 1;
	}
	printf("restored %s into %s: %lld members, %lld events\n", file,
	    d->conf->database, (long long)members, (long long)events);
	return 0;
}

/* Seeds the demo network and makes it durable before the loop starts. */
static int
seed_demo(struct larderd *d)
{
	if (server_step(d, demo_seed, NULL) != 0)
		return -1;
	if (store_commit(d->store) != 0) {
		log_error("demo: %s", store_errmsg(d->store));
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct options o;
	struct larderd d;
	char *cause = NULL;
	int rc = 1;

	jalloc_install();
	parse_options(argc, argv, &o);
	memset(&d, 0, sizeof d);
	d.lock_fd = -1;
	d.config_path = o.config;
	d.conf = load_config(&o);
	if (o.check) {
		printf("%s: configuration is valid\n",
		    o.config != NULL ? o.config : "(embedded defaults)");
		config_free(d.conf);
		jalloc_flush();
		return 0;
	}
	if (o.restore != NULL) {
		rc = restore(&d, o.restore);
		goto out;
	}
	setup_timezone(&d);
	log_init(d.conf->log_level, getenv("JOURNAL_STREAM") != NULL);
	if (dispatch_check_table(&cause) != 0 ||
	    server_setup(&d, &cause) != 0) {
		log_error("%s", cause != NULL ? cause : "out of memory");
		goto out;
	}
	if (o.demo && seed_demo(&d) != 0)
		goto out;
	print_banner(&d);
	rc = server_run(&d) == 0 ? 0 : 1;
	log_info("stopped");
out:
	free(cause);
	server_teardown(&d);
	config_free(d.conf);
	jalloc_flush();
	return rc;
}
