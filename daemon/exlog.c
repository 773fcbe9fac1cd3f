/*
 * exlog.c: the exchange log. Each event is a canonical JSON object (sorted
 * keys, no spaces: jansson's dump with JSON_COMPACT | JSON_SORT_KEYS,
 * written by jtext_json) stored with hash = SHA-256(previous hash ||
 * object), so changing, dropping or reordering any event breaks every
 * hash after it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "exlog.h"
#include "jtext.h"
#include "metrics.h"
#include "proto.h"

#define EXLOG_BATCH 1000

struct exlog {
	struct store *store;
	int64_t seq;
	unsigned char hash[DIGEST_LEN];
	exlog_cb listener;
	void *listener_arg;
};

/* Opens the log over a store and reads the head of its chain. */
struct exlog *
exlog_open(struct store *store, char **cause)
{
	struct exlog *log;

	if ((log = calloc(1, sizeof *log)) == NULL)
		return asprintf(cause, "out of memory"), NULL;
	log->store = store;
	if (exlog_reload(log) != 0) {
		asprintf(cause, "cannot read the exchange log: %s",
		    store_errmsg(store));
		free(log);
		return NULL;
	}
	return log;
}

void
exlog_free(struct exlog *log)
{
	free(log);
}

/* Rereads the head of the chain, after start-up or a rolled-back commit. */
int
exlog_reload(struct exlog *log)
{
	return store_event_last(log->store, &log->seq, log->hash);
}

void
exlog_set_listener(struct exlog *log, exlog_cb cb, void *arg)
{
	log->listener = cb;
	log->listener_arg = arg;
}

int64_t
exlog_last_seq(const struct exlog *log)
{
	return log->seq;
}

/*
 * Chains, stores and announces an event whose canonical text is body;
 * its object, when it has one, is tree.
 */
static int
exlog_put(struct exlog *log, time_t at, const char *body, size_t len,
    const struct metrics_facts *facts, json_t *tree)
{
	struct store_event ev;
	unsigned char hash[DIGEST_LEN];

	if (digest_sha256(log->hash, DIGEST_LEN, body, len, hash) != 0)
		return -1;
	ev.seq = log->seq + 1;
	ev.at = at;
	ev.body = body;
	ev.prev = log->hash;
	ev.hash = hash;
	ev.facts = facts;
	if (store_event_insert(log->store, &ev) != 0)
		return -1;
	log->seq = ev.seq;
	memcpy(log->hash, hash, DIGEST_LEN);
	if (log->listener != NULL)
		log->listener(log->listener_arg, tree, body, len);
	return 0;
}

/*
 * Appends one event: kind, acting member (or "admin"), and the fields it
 * concerns (stolen), with the facts reports read kept beside it. Runs
 * inside the caller's transaction, so the event and the change it records
 * commit or vanish together.
 */
int
exlog_append(struct exlog *log, time_t at, const char *kind, const char *actor,
    json_t *fields)
{
	struct metrics_facts facts;
	struct jtext text = JTEXT_INIT;
	char *body = NULL;
	int rc = -1;

	if (fields == NULL ||
	    json_object_set_new(fields, "seq", json_integer(log->seq + 1)) !=
	        0 ||
	    json_object_set_new(fields, "at", proto_time_json(at)) != 0 ||
	    json_object_set_new(fields, "kind", json_string(kind)) != 0 ||
	    json_object_set_new(fields, "actor", json_string(actor)) != 0)
		goto out;
	jtext_json(&text, fields);
	if ((body = jtext_end(&text)) == NULL)
		goto out;
	metrics_facts_read(fields, &facts);
	rc = exlog_put(log, at, body, text.len, &facts, fields);
out:
	free(body);
	json_decref(fields);
	return rc;
}

static int
exlog_field_cmp(const struct exfield *a, const struct exfield *b)
{
	return strcmp(a->key, b->key);
}

/*
 * Appends one event given as its members, none of them nested, which
 * need not be in order: as exlog_append would append the object they
 * make, without building it. The canonical text is written straight
 * from them, keys sorted, and the facts read from them. The event is
 * refused if it has too many members, a key twice, one of its own (seq,
 * at, kind, actor), or a text member without its text.
 */
int
exlog_append_fields(struct exlog *log, time_t at, const char *kind,
    const char *actor, const struct exfield *fields, size_t n)
{
	struct exfield all[EXLOG_FIELDS_MAX + 4], f;
	struct metrics_facts facts;
	struct jtext text = JTEXT_INIT;
	char *body;
	size_t i, j;
	int rc;

	if (n > EXLOG_FIELDS_MAX)
		return -1;
	memcpy(all, fields, n * sizeof *fields);
	all[n++] = (struct exfield){"seq", METRICS_INT, NULL, log->seq + 1};
	all[n++] = (struct exfield){"at", METRICS_TIME, NULL, (int64_t)at};
	all[n++] = (struct exfield){"kind", METRICS_TEXT, kind, 0};
	all[n++] = (struct exfield){"actor", METRICS_TEXT, actor, 0};
	/* Twenty members or so: an insertion sort is the quickest. */
	for (i = 1; i < n; i++) {
		f = all[i];
		for (j = i; j > 0 && exlog_field_cmp(&all[j - 1], &f) > 0; j--)
			all[j] = all[j - 1];
		all[j] = f;
	}
	for (i = 0; i < n; i++) {
		if ((i > 0 && exlog_field_cmp(&all[i - 1], &all[i]) == 0) ||
		    (all[i].type == METRICS_TEXT && all[i].text == NULL))
			return -1;
	}
	memset(&facts, 0, sizeof facts);
	jtext_raw(&text, "{");
	for (i = 0; i < n; i++) {
		if (i > 0)
			jtext_raw(&text, ",");
		jtext_str(&text, all[i].key);
		jtext_raw(&text, ":");
		switch (all[i].type) {
		case METRICS_TEXT:
			jtext_str(&text, all[i].text);
			break;
		case METRICS_INT:
			jtext_int(&text, all[i].num);
			break;
		case METRICS_BOOL:
			if (all[i].num)
				jtext_raw(&text, "true");
			else
				jtext_raw(&text, "false");
			break;
		case METRICS_TIME:
			jtext_time(&text, (time_t)all[i].num);
			break;
		}
		metrics_fact(&facts, all[i].key, all[i].type, all[i].text,
		    all[i].num);
	}
	jtext_raw(&text, "}");
	if ((body = jtext_end(&text)) == NULL)
		return -1;
	rc = exlog_put(log, at, body, text.len, &facts, NULL);
	free(body);
	return rc;
}

struct exlog_walk {
	struct exlog_check *check;
	int64_t seq;
	unsigned char hash[DIGEST_LEN];
};

/* Notes the first broken event; returns -1 to stop the scan. */
static int
exlog_broken(struct exlog_walk *w, int64_t seq, const char *reason)
{
	w->check->bad_seq = seq;
	proto_copy(w->check->reason, sizeof w->check->reason, reason);
	return -1;
}

/* Checks that a stored body says the seq and time its row says. */
static int
exlog_body_matches(const struct store_event *ev)
{
	json_t *obj;
	time_t at;
	int ok;

	obj = json_loads(ev->body, 0, NULL);
	ok = obj != NULL &&
	    json_integer_value(json_object_get(obj, "seq")) == ev->seq &&
	    json_is_string(json_object_get(obj, "at")) &&
	    proto_time_parse(json_string_value(json_object_get(obj, "at")),
	        &at) == 0 &&
	    at == ev->at;
	json_decref(obj);
	return ok;
}

static int
exlog_verify_one(void *arg, const struct store_event *ev)
{
	struct exlog_walk *w = arg;
	unsigned char hash[DIGEST_LEN];

	if (ev->seq != w->seq + 1)
		return exlog_broken(w, w->seq + 1, "event is missing");
	if (ev->prev == NULL || !digest_equal(ev->prev, w->hash))
		return exlog_broken(w, ev->seq,
		    "does not follow the event before it");
	if (ev->hash == NULL ||
	    digest_sha256(w->hash, DIGEST_LEN, ev->body, strlen(ev->body),
	        hash) != 0 ||
	    !digest_equal(hash, ev->hash))
		return exlog_broken(w, ev->seq,
		    "content does not match its hash");
	if (!exlog_body_matches(ev))
		return exlog_broken(w, ev->seq, "row and content disagree");
	w->seq = ev->seq;
	memcpy(w->hash, hash, DIGEST_LEN);
	w->check->events++;
	return 0;
}

/* Recomputes the whole chain from the first event; 0 when it holds. */
int
exlog_verify(struct store *store, struct exlog_check *check)
{
	struct exlog_walk w;
	int64_t before;

	memset(check, 0, sizeof *check);
	memset(&w, 0, sizeof w);
	w.check = check;
	do {
		before = check->events;
		if (store_event_scan(store, w.seq, EXLOG_BATCH,
		        exlog_verify_one, &w) != 0)
			return -1;
	} while (check->bad_seq == 0 && check->events - before == EXLOG_BATCH);
	return 0;
}

/* Builds an event's export object: its canonical fields, prev and hash. */
json_t *
exlog_export(const struct store_event *ev)
{
	json_t *obj;
	char hex[2 * DIGEST_LEN + 1];

	if ((obj = json_loads(ev->body, 0, NULL)) == NULL)
		return NULL;
	if (ev->prev != NULL)
		json_object_set_new(obj, "prev",
		    json_string(digest_hex(ev->prev, DIGEST_LEN, hex)));
	if (ev->hash != NULL)
		json_object_set_new(obj, "hash",
		    json_string(digest_hex(ev->hash, DIGEST_LEN, hex)));
	return obj;
}
