/* config.c: builds larderd's settings from defaults and an INI file. */
#include <sys/un.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "config.h"
#include "proto.h"

/* The longest path a Unix socket address can hold. */
#define CONFIG_SUN_PATH_MAX (sizeof(((struct sockaddr_un *)NULL)->sun_path) - 1)
#define CONFIG_NAME_MAX     32 /* longest category or hub name */
#define CONFIG_SYNTAX_MAX   50 /* syntax errors reported before giving up */
#define CONFIG_ID_MAX       64 /* more than inih's section and key limits */
#define CONFIG_CATEGORIES                                                      \
	"bakery,produce,dairy,meat,fish,prepared,dry,frozen,drinks,other"
#define CONFIG_LISTEN_HELP                                                     \
	"expected none or HOST:PORT, such as 127.0.0.1:7411 or [::1]:7411"

struct config_key;
typedef int config_parse_fn(struct config *, const struct config_key *,
    const char *, char **);

/* One key of the file: where it lives and how its value is read. */
struct config_key {
	const char *section;
	const char *name;
	config_parse_fn *parse;
	size_t offset; /* field in struct config, if the parser uses one */
	long min;      /* smallest number, shortest length or fewest items */
	long max;      /* largest number or longest length */
};

/* One error found while loading, kept in line order. */
struct config_error {
	int line;
	char *text;
};

static config_parse_fn config_parse_path, config_parse_socket;
static config_parse_fn config_parse_optional_path;
static config_parse_fn config_parse_listen, config_parse_timezone;
static config_parse_fn config_parse_log_level, config_parse_int;
static config_parse_fn config_parse_text, config_parse_categories;
static config_parse_fn config_parse_hubs, config_parse_clock;
static config_parse_fn config_parse_policy, config_parse_decimal;
static config_parse_fn config_parse_long, config_parse_seed;
static int config_split(const char *, char ***, size_t *, char **);

#define OFF(f) offsetof(struct config, f)
#define FACTOR(f)                                                              \
	(offsetof(struct config, factors) + offsetof(struct metrics_factors, f))
#define RULE(f)                                                                \
	(offsetof(struct config, rules) + offsetof(struct engine_rules, f))
static const struct config_key config_keys[] = {
    {"daemon", "state_dir", config_parse_path, OFF(state_dir), 0, 0},
    {"daemon", "database", config_parse_path, OFF(database), 0, 0},
    {"daemon", "socket", config_parse_socket, OFF(socket_path), 0, 0},
    {"daemon", "listen", config_parse_listen, 0, 0, 0},
    {"daemon", "timezone", config_parse_timezone, OFF(timezone), 0, 64},
    {"daemon", "tls_cert", config_parse_optional_path, OFF(tls_cert), 0, 0},
    {"daemon", "tls_key", config_parse_optional_path, OFF(tls_key), 0, 0},
    {"daemon", "log_level", config_parse_log_level, OFF(log_level), 0, 0},
    {"daemon", "cache_mb", config_parse_int, OFF(cache_mb), 1, 65536},
    {"limits", "max_sessions", config_parse_int, OFF(max_sessions), 1, 100000},
    {"limits", "idle_timeout", config_parse_int, OFF(idle_timeout), 0, 86400},
    {"limits", "hello_bytes", config_parse_int, OFF(hello_bytes), 256, 65536},
    {"limits", "hello_timeout", config_parse_int, OFF(hello_timeout), 1, 300},
    {"limits", "rate", config_parse_int, OFF(rate), 1, 100000},
    {"limits", "burst", config_parse_int, OFF(burst), 1, 1000000},
    {"limits", "watch_buffer", config_parse_int, OFF(watch_buffer), 65536,
        268435456},
    {"limits", "open_offers", config_parse_int, OFF(open_offers), 1, 1000000},
    {"limits", "open_requests", config_parse_int, OFF(open_requests), 1,
        1000000},
    {"limits", "json_depth", config_parse_int, OFF(json_depth), 2, 2048},
    {"network", "name", config_parse_text, OFF(network_name), 1, 100},
    {"network", "categories", config_parse_categories, 0, 1, 0},
    {"network", "hubs", config_parse_hubs, 0, 0, 0},
    {"daemon", "clock", config_parse_clock, 0, 0, 0},
    {"rules", "policy", config_parse_policy, 0, 0, 0},
    {"rules", "beta", config_parse_decimal, RULE(beta), 0, 1},
    {"rules", "cap", config_parse_decimal, RULE(cap), 1, 10},
    {"rules", "hub_first", config_parse_long, RULE(hub_first), 0, 604800},
    {"rules", "respond_min", config_parse_long, RULE(respond_min), 60, 86400},
    {"rules", "respond_max", config_parse_long, RULE(respond_max), 60, 604800},
    {"rules", "flash_after", config_parse_int, RULE(flash_after), 1, 100},
    {"rules", "flash_window", config_parse_long, RULE(flash_window), 0, 604800},
    {"rules", "flash_charge", config_parse_int, RULE(flash_charge), 0, 100},
    {"rules", "ledger_cap", config_parse_long, RULE(ledger_cap), 1000,
        100000000},
    {"rules", "ledger_decay", config_parse_int, RULE(ledger_decay), 0, 100},
    {"rules", "margin", config_parse_long, RULE(margin), 0, 604800},
    {"rules", "seed", config_parse_seed, RULE(seed), 0, 0},
    {"rules", "quorum", config_parse_int, RULE(quorum), 0, 100},
    {"rules", "majority", config_parse_int, RULE(majority), 0, 99},
    {"rules", "vote_period", config_parse_long, RULE(vote_period), 3600,
        2592000},
    {"rules", "sanction_window", config_parse_int, RULE(sanction_window), 1,
        365},
    {"rules", "sanction_warning", config_parse_int, RULE(sanction_warning), 1,
        100},
    {"rules", "sanction_restricted", config_parse_int,
        RULE(sanction_restricted), 1, 100},
    {"rules", "sanction_suspended", config_parse_int, RULE(sanction_suspended),
        1, 100},
    {"rules", "sanction_clean_days", config_parse_int,
        RULE(sanction_clean_days), 1, 365},
    {"rules", "sanction_restrict_days", config_parse_int,
        RULE(sanction_restrict_days), 1, 365},
    {"rules", "dispute_days", config_parse_int, RULE(dispute_days), 1, 60},
    {"metrics", "grams_per_meal", config_parse_long, FACTOR(grams_per_meal), 1,
        10000},
    {"metrics", "co2e_per_kg", config_parse_decimal, FACTOR(co2e_per_kg), 0,
        100},
};
#undef OFF
#define CONFIG_NKEYS   (sizeof config_keys / sizeof config_keys[0])
#define CONFIG_NLEVELS (sizeof config_log_levels / sizeof config_log_levels[0])

/* The state of one config_load() call, shared by the reader and handler. */
struct config_loader {
	const char *path;
	FILE *f;
	struct config *cfg;
	int pass;     /* 0 applies the file; later passes find syntax errors */
	int line;     /* the line the reader returned last */
	int indented; /* that line starts with white space */
	int read_errno; /* nonzero after a read error */
	int nomem;
	struct config_error *errors;
	size_t nerrors;
	int syntax[CONFIG_SYNTAX_MAX]; /* lines inih rejected, in order */
	size_t nsyntax;
	int seen[CONFIG_NKEYS]; /* line each key was first set on, or 0 */
	char last_section[CONFIG_ID_MAX];
	char last_name[CONFIG_ID_MAX];
};

static const char *const config_log_levels[] = {
    [LOG_LEVEL_DEBUG] = "debug",
    [LOG_LEVEL_INFO] = "info",
    [LOG_LEVEL_WARNING] = "warning",
    [LOG_LEVEL_ERROR] = "error",
};

/* Sets *cause to a formatted message and returns -1. */
static int __attribute__((format(printf, 2, 3)))
config_fail(char **cause, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(cause, fmt, ap) == -1)
		*cause = NULL;
	va_end(ap);
	return -1;
}

/* Returns the field of cfg at offset. */
static void *
config_field(struct config *cfg, size_t offset)
{
	return (char *)cfg + offset;
}

/* Replaces the string at *slot with a copy of value, or NULL. */
static int
config_replace(char **slot, const char *value, char **cause)
{
	char *copy = NULL;

	if (value != NULL && (copy = strdup(value)) == NULL)
		return config_fail(cause, "out of memory");
	free(*slot);
	*slot = copy;
	return 0;
}

/* Frees a list of n strings. */
static void
config_free_list(char **list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

/* Copies a list of n strings into *out; returns 0 or -1. */
static int
config_copy_list(char **list, size_t n, char ***out)
{
	size_t i;

	*out = NULL;
	if (n == 0)
		return 0;
	if ((*out = calloc(n, sizeof **out)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (((*out)[i] = strdup(list[i])) == NULL) {
			config_free_list(*out, i);
			*out = NULL;
			return -1;
		}
	}
	return 0;
}

/* Frees everything cfg points to, leaving it empty. */
static void
config_clear(struct config *cfg)
{
	free(cfg->state_dir);
	free(cfg->database);
	free(cfg->socket_path);
	free(cfg->listen);
	free(cfg->timezone);
	free(cfg->tls_cert);
	free(cfg->tls_key);
	free(cfg->network_name);
	config_free_list(cfg->categories, cfg->ncategories);
	config_free_list(cfg->hubs, cfg->nhubs);
	memset(cfg, 0, sizeof *cfg);
}

/* Frees a config; NULL is allowed. */
void
config_free(struct config *cfg)
{
	if (cfg == NULL)
		return;
	config_clear(cfg);
	free(cfg);
}

/* Copies s, which may be NULL, into *out; returns 0 or -1. */
static int
config_copy_string(const char *s, char **out)
{
	*out = NULL;
	return (s != NULL && (*out = strdup(s)) == NULL) ? -1 : 0;
}

/* Returns a deep copy of cfg, or NULL when out of memory. */
static struct config *
config_copy(const struct config *cfg)
{
	struct config *c;
	int bad = 0;

	if ((c = calloc(1, sizeof *c)) == NULL)
		return NULL;
	c->log_level = cfg->log_level;
	c->cache_mb = cfg->cache_mb;
	c->max_sessions = cfg->max_sessions;
	c->json_depth = cfg->json_depth;
	c->idle_timeout = cfg->idle_timeout;
	c->hello_bytes = cfg->hello_bytes;
	c->hello_timeout = cfg->hello_timeout;
	c->rate = cfg->rate;
	c->burst = cfg->burst;
	c->watch_buffer = cfg->watch_buffer;
	c->open_offers = cfg->open_offers;
	c->open_requests = cfg->open_requests;
	c->manual_clock = cfg->manual_clock;
	c->rules = cfg->rules;
	c->factors = cfg->factors;
	c->seed_given = cfg->seed_given;
	bad |= config_copy_string(cfg->state_dir, &c->state_dir);
	bad |= config_copy_string(cfg->database, &c->database);
	bad |= config_copy_string(cfg->socket_path, &c->socket_path);
	bad |= config_copy_string(cfg->listen, &c->listen);
	bad |= config_copy_string(cfg->timezone, &c->timezone);
	bad |= config_copy_string(cfg->tls_cert, &c->tls_cert);
	bad |= config_copy_string(cfg->tls_key, &c->tls_key);
	bad |= config_copy_string(cfg->network_name, &c->network_name);
	if (config_copy_list(cfg->categories, cfg->ncategories,
	        &c->categories) == 0)
		c->ncategories = cfg->ncategories;
	else
		bad = -1;
	if (config_copy_list(cfg->hubs, cfg->nhubs, &c->hubs) == 0)
		c->nhubs = cfg->nhubs;
	else
		bad = -1;
	if (bad != 0) {
		config_free(c);
		return NULL;
	}
	return c;
}

/* Returns a config holding the embedded defaults, or NULL. */
struct config *
config_new(void)
{
	struct config *cfg;
	char *cause = NULL;
	int rc;

	if ((cfg = calloc(1, sizeof *cfg)) == NULL)
		return NULL;
	cfg->log_level = LOG_LEVEL_INFO;
	cfg->cache_mb = 32;
	engine_rules_default(&cfg->rules);
	cfg->factors.grams_per_meal = METRICS_GRAMS_PER_MEAL;
	cfg->factors.co2e_per_kg = METRICS_CO2E_PER_KG;
	cfg->max_sessions = 256;
	cfg->json_depth = PROTO_DEFAULT_DEPTH;
	cfg->idle_timeout = 300;
	cfg->hello_bytes = 4096;
	cfg->hello_timeout = 10;
	cfg->rate = 100;
	cfg->burst = 2000;
	cfg->watch_buffer = 1048576;
	cfg->open_offers = 200;
	cfg->open_requests = 50;
	cfg->state_dir = strdup("larder-state");
	cfg->listen = strdup("127.0.0.1:7411");
	cfg->network_name = strdup("Larder network");
	rc = config_split(CONFIG_CATEGORIES, &cfg->categories,
	    &cfg->ncategories, &cause);
	free(cause);
	if (rc != 0 || cfg->state_dir == NULL || cfg->listen == NULL ||
	    cfg->network_name == NULL) {
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

/* Checks a path is short enough to bind a Unix socket to. */
static int
config_check_socket(const char *path, char **cause)
{
	size_t len = strlen(path);

	if (len > CONFIG_SUN_PATH_MAX)
		return config_fail(cause,
		    "socket path \"%s\" is %zu bytes, but a Unix socket path "
		    "may be at most %zu; choose a shorter socket or state_dir",
		    path, len, CONFIG_SUN_PATH_MAX);
	return 0;
}

/* Sets *slot to DIR/NAME unless it is already set. */
static int
config_derive(char **slot, const char *dir, const char *name, char **cause)
{
	size_t len = strlen(dir);
	const char *sep = (len > 0 && dir[len - 1] == '/') ? "" : "/";

	if (*slot != NULL)
		return 0;
	if (asprintf(slot, "%s%s%s", dir, sep, name) == -1) {
		*slot = NULL;
		return config_fail(cause, "out of memory");
	}
	return 0;
}

/* Derives unset paths from state_dir and checks the socket path. */
int
config_finish(struct config *cfg, char **cause)
{
	const char *dir = cfg->state_dir;

	if (dir == NULL || *dir == '\0')
		return config_fail(cause, "state_dir is empty");
	if (cfg->rules.respond_max < cfg->rules.respond_min)
		return config_fail(cause,
		    "[rules] respond_max (%lld) is less "
		    "than respond_min (%lld)",
		    (long long)cfg->rules.respond_max,
		    (long long)cfg->rules.respond_min);
	if ((cfg->tls_cert == NULL) != (cfg->tls_key == NULL))
		return config_fail(cause,
		    "[daemon] tls_cert and tls_key go together: "
		    "give both for TLS, or neither");
	if (cfg->ncategories > ENGINE_MAX_CATEGORIES)
		return config_fail(cause, "[network] categories: at most %d",
		    ENGINE_MAX_CATEGORIES);
	if (config_derive(&cfg->database, dir, "larder.db", cause) != 0 ||
	    config_derive(&cfg->socket_path, dir, "larderd.sock", cause) != 0)
		return -1;
	return config_check_socket(cfg->socket_path, cause);
}

/* Returns whether name is in the list of n names. */
static int
config_in_list(char **list, size_t n, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < n; i++) {
		if (strcmp(list[i], name) == 0)
			return 1;
	}
	return 0;
}

/* Returns whether name is one of the configured categories. */
int
config_has_category(const struct config *cfg, const char *name)
{
	return config_in_list(cfg->categories, cfg->ncategories, name);
}

/* Returns whether name is a configured hub; any hub when none are. */
int
config_has_hub(const struct config *cfg, const char *name)
{
	if (cfg->nhubs == 0)
		return name != NULL;
	return config_in_list(cfg->hubs, cfg->nhubs, name);
}

/* Returns the config file word for a log level. */
const char *
config_log_level_name(enum log_level level)
{
	if ((size_t)level >= CONFIG_NLEVELS)
		return "unknown";
	return config_log_levels[level];
}

/* Checks the host part of a listen address, hostlen bytes at host. */
static int
config_check_host(const char *host, size_t hostlen, char **cause)
{
	const char *ok = "abcdefghijklmnopqrstuvwxyz"
	                 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_";
	size_t span;

	if (hostlen == 0)
		return config_fail(cause, "the host is empty; %s",
		    CONFIG_LISTEN_HELP);
	if (host[0] == '[') {
		span = 1 + strspn(host + 1, "0123456789abcdefABCDEF:.");
		if (hostlen < 3 || span != hostlen - 1 || host[span] != ']')
			return config_fail(cause,
			    "bad IPv6 address \"%.*s\"; %s", (int)hostlen, host,
			    CONFIG_LISTEN_HELP);
		return 0;
	}
	if (memchr(host, ':', hostlen) != NULL)
		return config_fail(cause,
		    "an IPv6 address must be in brackets; %s",
		    CONFIG_LISTEN_HELP);
	if (strspn(host, ok) < hostlen)
		return config_fail(cause, "bad host \"%.*s\"; %s", (int)hostlen,
		    host, CONFIG_LISTEN_HELP);
	return 0;
}

/* Checks the port part of a listen address. */
static int
config_check_port(const char *port, char **cause)
{
	char *end;
	long n;

	if (*port == '\0')
		return config_fail(cause, "the port is missing; %s",
		    CONFIG_LISTEN_HELP);
	errno = 0;
	n = strtol(port, &end, 10);
	if (!isdigit((unsigned char)*port) || *end != '\0')
		return config_fail(cause, "bad port \"%s\"; %s", port,
		    CONFIG_LISTEN_HELP);
	if (errno == ERANGE || n < 1 || n > 65535)
		return config_fail(cause,
		    "port %s is out of range; the port must be 1 to 65535",
		    port);
	return 0;
}

/* Sets listen from "none" or HOST:PORT, as the file and --listen do. */
int
config_set_listen(struct config *cfg, const char *value, char **cause)
{
	const char *colon;

	if (strcmp(value, "none") == 0)
		return config_replace(&cfg->listen, NULL, cause);
	if ((colon = strrchr(value, ':')) == NULL ||
	    (value[0] == '[' && strchr(colon, ']') != NULL))
		return config_fail(cause, "\"%s\" has no port; %s", value,
		    CONFIG_LISTEN_HELP);
	if (config_check_host(value, (size_t)(colon - value), cause) != 0 ||
	    config_check_port(colon + 1, cause) != 0)
		return -1;
	return config_replace(&cfg->listen, value, cause);
}

/* Parses listen through config_set_listen(). */
static int
config_parse_listen(struct config *cfg, const struct config_key *key,
    const char *value, char **cause)
{
	(void)key;
	return config_set_listen(cfg, value, cause);
}

/* Parses a nonempty path. */
static int
config_parse_path(struct config *cfg, const struct config_key *key,
    const char *value, char **cause)
{
	if (*value == '\0')
		return config_fail(cause, "must not be empty");
	return config_replace(config_field(cfg, key->offset), value, cause);
}

/* Parses a path that may be empty, meaning none. */
static int
config_parse_optional_path(struct config *cfg, const struct config_key *key,
    const char *value, char **cause)
{
	char **field = config_field(cfg, key->offset);

	if (*value == '\0') {
		free(*field);
		*field = NULL;
		return 0;
	}
	return config_replace(field, value, cause);
}

/* Parses a nonempty path short enough for a Unix socket. */
static int
config_parse_socket(struct config *cfg, const struct config_key *key,
    const char *value, char **cause)
{
	if (*value != '\0' && config_check_socket(value, cause) != 0)
		return -1;
	return config_parse_path(cfg, key, value, cause);
}

/* Parses a time zone name; empty means the system's time zone. */
static int
config_parse_timezone(struct config *cfg, const struct config_key *key,
    const char *value, char **cause)
{
	const char *ok = "abcdefghijklmnopqrstuvwxyz"
	                 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_+-:,.<>";
	size_t len = strlen(value);

	if (len > (size_t)key->max || strspn(value, ok) != len ||
	    strstr(value, "..") != NULL)
		return config_fail(cause,
		    "\"%s\" is not a time zone; expected a name such as "
		    "Europe/London or UTC (at most %ld characters), or nothing "
		    "for the system's time zone",
		    value, key->max);
	return config_replace(config_field(cfg, key->offset),
	    len == 0 ? NULL : value, cause);
}

/* Parses one of the words in config_log_levels. */
static int
config_parse_log_level(struct config *cfg, const struct config_key *key,
    const char *value, char **cause)
{
	enum log_level *level = config_field(cfg, key->offset);
	size_t i;

	for (i = 0; i < CONFIG_NLEVELS; i++) {
		if (strcmp(value, config_log_levels[i]) == 0) {
			*level = (enum log_level)i;
			return 0;
		}
	}
	return config_fail(cause,
	    "\"%s\" is not a log level; expected debug, info, warning or error",
	    value);
}

/* Parses a whole number from key->min to key->max. */
static int
config_parse_int(struct config *cfg, const struct config_key *key,
    const char *value, char **cause)
{
	int *field = config_field(cfg, key->offset);
	char *end;
	long n;

	errno = 0;
	n = strtol(value, &end, 10);
	if (*value == '\0' || *end != '\0')
		return config_fail(cause,
		    "\"%s\" is not a whole number; expected %ld to %ld", value,
		    key->min, key->max);
	if (errno == ERANGE || n < key->min || n > key->max)
		return config_fail(cause,
		    "%s is out of range; expected %ld to %ld", value, key->min,
		    key->max);
	*field = (int)n;
	return 0;
}

/* Parses a whole number of seconds or grams from key->min to key->max. */
static int
config_parse_long(struct config *cfg, const struct config_key *key,
    const char *value, char **cause)
{
	int64_t *field = config_field(cfg, key->offset);
	char *end;
	long long n;

	errno = 0;
	n = strtoll(value, &end, 10);
	if (*value == '\0' || *end != '\0' || errno == ERANGE || n < key->min ||
	    n > key->max)
		return config_fail(cause,
		    "\"%s\" is not a whole number from %ld to %ld", value,
		    key->min, key->max);
	*field = n;
	return 0;
}

/* Parses a decimal such as 0.2 from key->min to key->max. */
static int
config_parse_decimal(struct config *cfg, const struct config_key *key,
    const char *value, char **cause)
{
	double *field = config_field(cfg, key->offset);
	char *end;
	double n;

	errno = 0;
	n = strtod(value, &end);
	if (*value == '\0' || *end != '\0' || errno == ERANGE ||
	    !(n >= (double)key->min && n <= (double)key->max))
		return config_fail(cause,
		    "\"%s\" is not a number from %ld to %ld", value, key->min,
		    key->max);
	*field = n;
	return 0;
}

/* Parses the network's tie-breaking seed: up to 16 hex digits. */
static int
config_parse_seed(struct config *cfg, const struct config_key *key,
    const char *value, char **cause)
{
	uint64_t *field = config_field(cfg, key->offset);
	char *end;

	if (*value == '\0')
		return 0;
	errno = 0;
	*field = strtoull(value, &end, 16);
	if (*end != '\0' || errno == ERANGE || strlen(value) > 16)
		return config_fail(cause,
		    "\"%s\" is not a seed of up to 16 "
		    "hex digits",
		    value);
	cfg->seed_given = 1;
	return 0;
}

/* Parses the allocation policy's name. */
static int
config_parse_policy(struct config *cfg, const struct config_key *key,
    const char *value, char **cause)
{
	(void)key;
	if (engine_policy_find(value) == NULL)
		return config_fail(cause,
		    "\"%s\" is not a policy; expected "
		    "fairshare, fcfs or lottery",
		    value);
	proto_copy(cfg->rules.policy, sizeof cfg->rules.policy, value);
	return 0;
}

/* Parses the clock: real, or manual for tests and demonstrations. */
static int
config_parse_clock(struct config *cfg, const struct config_key *key,
    const char *value, char **cause)
{
	(void)key;
	if (strcmp(value, "real") != 0 && strcmp(value, "manual") != 0)
		return config_fail(cause,
		    "\"%s\" is not a clock; expected "
		    "real or manual",
		    value);
	cfg->manual_clock = strcmp(value, "manual") == 0;
	return 0;
}

/* Parses free text from key->min to key->max bytes long. */
static int
config_parse_text(struct config *cfg, const struct config_key *key,
    const char *value, char **cause)
{
	size_t len = strlen(value);

	if (len < (size_t)key->min || len > (size_t)key->max)
		return config_fail(cause,
		    "must be %ld to %ld bytes long, not %zu", key->min,
		    key->max, len);
	return config_replace(config_field(cfg, key->offset), value, cause);
}

/* Checks a category or hub name. */
static int
config_check_name(const char *name, char **cause)
{
	const char *ok = "abcdefghijklmnopqrstuvwxyz0123456789_-";
	size_t len = strlen(name);

	if (len == 0)
		return config_fail(cause,
		    "empty item in the list; separate names with one comma");
	if (len > CONFIG_NAME_MAX || strspn(name, ok) != len || *name == '_' ||
	    *name == '-')
		return config_fail(cause,
		    "bad name \"%s\"; names are 1 to %d characters of "
		    "a-z, 0-9, _ and -, starting with a letter or digit",
		    name, CONFIG_NAME_MAX);
	return 0;
}

/* Copies the item at [start, end) with surrounding white space removed. */
static char *
config_trim(const char *start, const char *end)
{
	while (start < end && isspace((unsigned char)*start))
		start++;
	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	return strndup(start, (size_t)(end - start));
}

/* Appends the next item of a comma list at *s to items, advancing *s. */
static int
config_split_one(const char **s, char **items, size_t n, char **cause)
{
	const char *end = strchrnul(*s, ',');
	char *item;

	if ((item = config_trim(*s, end)) == NULL)
		return config_fail(cause, "out of memory");
	*s = (*end == ',') ? end + 1 : NULL;
	if (config_check_name(item, cause) != 0) {
		free(item);
		return -1;
	}
	if (config_in_list(items, n, item)) {
		config_fail(cause, "\"%s\" is listed twice", item);
		free(item);
		return -1;
	}
	items[n] = item;
	return 0;
}

/* Splits a comma list of names into *out and *nout. */
static int
config_split(const char *value, char ***out, size_t *nout, char **cause)
{
	const char *s;
	char **items;
	size_t n = 1;

	for (s = value; *s != '\0'; s++)
		n += (*s == ',');
	if ((items = calloc(n, sizeof *items)) == NULL)
		return config_fail(cause, "out of memory");
	for (s = value, n = 0; s != NULL; n++) {
		if (config_split_one(&s, items, n, cause) != 0) {
			config_free_list(items, n);
			return -1;
		}
	}
	*out = items;
	*nout = n;
	return 0;
}

/* Sets *list and *count from a comma list of at least min names. */
static int
config_set_list(char ***list, size_t *count, const char *value, long min,
    char **cause)
{
	char **items = NULL;
	size_t n = 0;

	if (*value == '\0' && min > 0)
		return config_fail(cause, "must list at least %ld name%s", min,
		    min == 1 ? "" : "s");
	if (*value != '\0' && config_split(value, &items, &n, cause) != 0)
		return -1;
	config_free_list(*list, *count);
	*list = items;
	*count = n;
	return 0;
}

/* Parses [network] categories. */
static int
config_parse_categories(struct config *cfg, const struct config_key *key,
    const char *value, char **cause)
{
	return config_set_list(&cfg->categories, &cfg->ncategories, value,
	    key->min, cause);
}

/* Parses [network] hubs; empty means any hub. */
static int
config_parse_hubs(struct config *cfg, const struct config_key *key,
    const char *value, char **cause)
{
	return config_set_list(&cfg->hubs, &cfg->nhubs, value, key->min, cause);
}

/* Records an error at line (0 for none), keeping errors in line order. */
static void __attribute__((format(printf, 3, 4)))
config_error(struct config_loader *ld, int line, const char *fmt, ...)
{
	struct config_error *e;
	char *msg;
	size_t i;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (rc == -1) {
		ld->nomem = 1;
		return;
	}
	if ((e = reallocarray(ld->errors, ld->nerrors + 1, sizeof *e)) ==
	    NULL) {
		free(msg);
		ld->nomem = 1;
		return;
	}
	ld->errors = e;
	for (i = ld->nerrors; i > 0 && e[i - 1].line > line; i--)
		e[i] = e[i - 1];
	e[i].line = line;
	e[i].text = msg;
	ld->nerrors++;
}

/* Records an error about a key at the current line. */
static void __attribute__((format(printf, 4, 5)))
config_key_error(struct config_loader *ld, const char *section,
    const char *name, const char *fmt, ...)
{
	char *msg;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (rc == -1) {
		ld->nomem = 1;
		return;
	}
	config_error(ld, ld->line, "%s:%d: [%s] %s: %s", ld->path, ld->line,
	    section, name, msg);
	free(msg);
}

/* Returns the index of key name (any key if NULL) in section, or -1. */
static int
config_find_key(const char *section, const char *name)
{
	size_t i;

	for (i = 0; i < CONFIG_NKEYS; i++) {
		if (strcmp(config_keys[i].section, section) == 0 &&
		    (name == NULL || strcmp(config_keys[i].name, name) == 0))
			return (int)i;
	}
	return -1;
}

/* Returns the keys of a section as "a, b, c", or NULL. */
static char *
config_key_names(const char *section)
{
	char *list = NULL, *next;
	size_t i;

	for (i = 0; i < CONFIG_NKEYS; i++) {
		if (strcmp(config_keys[i].section, section) != 0)
			continue;
		if (asprintf(&next, "%s%s%s", list != NULL ? list : "",
		        list != NULL ? ", " : "", config_keys[i].name) == -1)
			next = NULL;
		free(list);
		if ((list = next) == NULL)
			return NULL;
	}
	return list;
}

/* Reports a key the table does not know. */
static void
config_unknown_key(struct config_loader *ld, const char *section,
    const char *name)
{
	char *names;

	if (*section == '\0') {
		config_error(ld, ld->line,
		    "%s:%d: %s: key outside any section; put it under "
		    "[daemon], [limits], [network], [metrics] or [rules]",
		    ld->path, ld->line, name);
		return;
	}
	if (config_find_key(section, NULL) == -1) {
		if (strcmp(section, ld->last_section) != 0)
			config_key_error(ld, section, name,
			    "unknown section; the sections are [daemon], "
			    "[limits], [network], [metrics] and [rules]");
		return;
	}
	if ((names = config_key_names(section)) == NULL) {
		ld->nomem = 1;
		return;
	}
	config_key_error(ld, section, name,
	    "unknown key; the keys of [%s] are %s", section, names);
	free(names);
}

/* Returns whether inih passed an indented line as part of the last value. */
static int
config_is_continuation(struct config_loader *ld, const char *section,
    const char *name)
{
	return ld->indented && strcmp(section, ld->last_section) == 0 &&
	    strcmp(name, ld->last_name) == 0;
}

/* Applies one key of the file to ld->cfg, recording any error. */
static void
config_apply(struct config_loader *ld, const char *section, const char *name,
    const char *value)
{
	const struct config_key *key;
	char *cause = NULL;
	int i;

	if (config_is_continuation(ld, section, name)) {
		config_key_error(ld, section, name,
		    "an indented line continues the value above, which larderd "
		    "does not accept; start every line at the left margin");
		return;
	}
	if ((i = config_find_key(section, name)) == -1) {
		config_unknown_key(ld, section, name);
		return;
	}
	key = &config_keys[i];
	if (ld->seen[i] != 0) {
		config_key_error(ld, section, name,
		    "duplicate key; it was already set on line %d",
		    ld->seen[i]);
		return;
	}
	ld->seen[i] = ld->line;
	if (key->parse(ld->cfg, key, value, &cause) != 0) {
		if (cause == NULL)
			ld->nomem = 1;
		else
			config_key_error(ld, section, name, "%s", cause);
		free(cause);
	}
}

/* The inih handler: applies a key on the first pass only. */
static int
config_handle(void *user, const char *section, const char *name,
    const char *value)
{
	struct config_loader *ld = user;

	if (ld->pass != 0)
		return 1;
	config_apply(ld, section, name, value);
	proto_copy(ld->last_section, sizeof ld->last_section, section);
	proto_copy(ld->last_name, sizeof ld->last_name, name);
	return 1;
}

/* Returns whether the line in buf went past the buffer, consuming the rest. */
static int
config_overflowed(FILE *f, const char *buf, int size)
{
	size_t len = strlen(buf);
	int c;

	if (len < (size_t)size - 1 || buf[len - 1] == '\n')
		return 0;
	if ((c = getc(f)) == '\n' || c == EOF)
		return 0;
	while ((c = getc(f)) != '\n' && c != EOF)
		continue;
	return 1;
}

/* Returns whether line is one inih rejected on an earlier pass. */
static int
config_is_syntax_error(struct config_loader *ld, int line)
{
	size_t i;

	for (i = 0; i < ld->nsyntax; i++) {
		if (ld->syntax[i] == line)
			return 1;
	}
	return 0;
}

/* The inih reader: fgets that counts lines and rejects overlong ones. */
static char *
config_read_line(char *buf, int size, void *user)
{
	struct config_loader *ld = user;
	const char *start = buf;

	if (fgets(buf, size, ld->f) == NULL) {
		if (ferror(ld->f))
			ld->read_errno = errno != 0 ? errno : EIO;
		return NULL;
	}
	ld->line++;
	ld->indented = isspace((unsigned char)buf[0]);
	while (isspace((unsigned char)*start))
		start++;
	if (config_overflowed(ld->f, buf, size)) {
		if (*start != ';' && *start != '#' && ld->pass == 0)
			config_error(ld, ld->line,
			    "%s:%d: line too long; the limit is %d bytes",
			    ld->path, ld->line, size - 1);
		buf[0] = '\0';
	}
	if (config_is_syntax_error(ld, ld->line))
		buf[0] = '\0';
	return buf;
}

/*
 * Parses the open file into ld->cfg. inih reports only the first line it
 * cannot parse, so each further pass blanks the lines found so far to find
 * the next one.
 */
static void
config_parse_file(struct config_loader *ld)
{
	int rc;

	for (;;) {
		ld->line = 0;
		rc = ini_parse_stream(config_read_line, ld, config_handle, ld);
		if (ld->read_errno != 0 || rc == 0)
			break;
		if (rc < 0) {
			ld->nomem = 1;
			break;
		}
		config_error(ld, rc,
		    "%s:%d: syntax error; expected [section], "
		    "key = value or a comment",
		    ld->path, rc);
		ld->syntax[ld->nsyntax++] = rc;
		ld->pass++;
		if (ld->nsyntax == CONFIG_SYNTAX_MAX ||
		    fseek(ld->f, 0, SEEK_SET) != 0)
			break;
	}
	if (ld->read_errno != 0)
		config_error(ld, 0, "%s: cannot read: %s", ld->path,
		    strerror(ld->read_errno));
}

/* Joins the loader's errors into one malloc'd message. */
static char *
config_join_errors(struct config_loader *ld)
{
	char *msg, *p;
	size_t i, len = 1;

	if (ld->nomem)
		return strdup("out of memory");
	for (i = 0; i < ld->nerrors; i++)
		len += strlen(ld->errors[i].text) + 1;
	if ((msg = p = malloc(len)) == NULL)
		return NULL;
	*msg = '\0';
	for (i = 0; i < ld->nerrors; i++) {
		if (i > 0)
			*p++ = '\n';
		p = stpcpy(p, ld->errors[i].text);
	}
	return msg;
}

/* Frees the loader's errors and returns whether there were any. */
static int
config_loader_done(struct config_loader *ld, char **cause)
{
	int failed = ld->nerrors > 0 || ld->nomem;
	size_t i;

	if (failed)
		*cause = config_join_errors(ld);
	for (i = 0; i < ld->nerrors; i++)
		free(ld->errors[i].text);
	free(ld->errors);
	return failed ? -1 : 0;
}

/* Applies the file at path to cfg, which is left unchanged on error. */
int
config_load(struct config *cfg, const char *path, char **cause)
{
	struct config_loader ld;
	int rc;

	memset(&ld, 0, sizeof ld);
	ld.path = path;
	if ((ld.f = fopen(path, "r")) == NULL)
		return config_fail(cause, "%s: cannot open: %s", path,
		    strerror(errno));
	if ((ld.cfg = config_copy(cfg)) == NULL) {
		fclose(ld.f);
		return config_fail(cause, "out of memory");
	}
	config_parse_file(&ld);
	fclose(ld.f);
	if ((rc = config_loader_done(&ld, cause)) == 0) {
		config_clear(cfg);
		*cfg = *ld.cfg;
		free(ld.cfg);
	} else
		config_free(ld.cfg);
	return rc;
}
