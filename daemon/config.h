/* config.h: larderd's settings, from embedded defaults and an INI file. */
#ifndef LARDER_CONFIG_H
#define LARDER_CONFIG_H
#include <stddef.h>

#include "engine.h"
#include "metrics.h"

enum log_level {
	LOG_LEVEL_DEBUG,
	LOG_LEVEL_INFO,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_ERROR
};

struct config {
	char *state_dir;          /* [daemon] state_dir, default larder-state */
	char *database;           /* [daemon] database; STATE_DIR/larder.db */
	char *socket_path;        /* [daemon] socket; STATE_DIR/larderd.sock */
	char *listen;             /* [daemon] listen HOST:PORT; NULL if none */
	char *timezone;           /* [daemon] timezone; NULL: the system's */
	char *tls_cert;           /* [daemon] tls_cert PEM chain; NULL: no TLS */
	char *tls_key;            /* [daemon] tls_key PEM key, with tls_cert */
	enum log_level log_level; /* [daemon] log_level, default info */
	int cache_mb;             /* [daemon] MiB of pages kept, default 32 */
	int max_sessions;         /* [limits] 1..100000, default 256 */
	int json_depth;           /* [limits] 2..2048, default 16 */
	int idle_timeout;         /* [limits] seconds 0..86400, default 300 */
	int hello_bytes;          /* [limits] bytes before hello, 4096 */
	int hello_timeout;        /* [limits] seconds to say hello, 10 */
	int rate;                 /* [limits] requests a second a member, 100 */
	int burst;                /* [limits] requests in a burst, 2000 */
	int watch_buffer;         /* [limits] bytes queued to a watcher, 1 MiB */
	int open_offers;          /* [limits] open offers a member, 200 */
	int open_requests;        /* [limits] open requests a member, 50 */
	char *network_name;       /* [network] name, 1..100 bytes */
	char **categories;        /* [network] categories */
	size_t ncategories;       /* number of categories */
	char **hubs;              /* [network] hubs; none means any hub */
	size_t nhubs;             /* number of hubs */
	int manual_clock;         /* [daemon] clock = manual */
	struct engine_rules rules;      /* [rules]: the first values of rules */
	struct metrics_factors factors; /* [metrics] */
	int seed_given;                 /* [rules] seed was set */
	int rules_given;                /* --rules FILE was given */
};

/*
 * Defaults not given above: listen 127.0.0.1:7411, name "Larder network",
 * categories bakery, produce, dairy, meat, fish, prepared, dry, frozen,
 * drinks and other, and no hubs. database and socket_path stay NULL until
 * config_finish() derives them from state_dir, unless the file sets them.
 * Functions returning int return 0, or -1 with a malloc'd message in *cause
 * for the caller to free (config_load's has one "FILE:LINE: ..." per line).
 */
struct config *config_new(void); /* embedded defaults; NULL if out of memory */
int config_load(struct config *, const char *path, char **cause);
int config_set_listen(struct config *, const char *value, char **cause);
int config_finish(struct config *, char **cause);
void config_free(struct config *);
int config_has_category(const struct config *, const char *);
int config_has_hub(const struct config *, const char *);
const char *config_log_level_name(enum log_level);
#endif
