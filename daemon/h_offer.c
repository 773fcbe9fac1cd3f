/* h_offer.c: members offering surplus food, and withdrawing offers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jtext.h"
#include "larderd.h"
#include "log.h"
#include "valid.h"

#define OFFER_DEFAULT_PORTION  1000 /* grams, when not given */
#define OFFER_PAST_BEST_BEFORE (24 * 3600)
#define OFFER_TEXTS            4096 /* listed offers kept as text */
#define OFFER_PAGES            64   /* listed pages kept as text */

/* An offer as it was last listed, and its record as JSON text. */
struct offer_text {
	struct offer key;
	char *text;
};

/*
 * A page of offers as last listed: what was asked, the store's version
 * then, and the page's JSON text. Members poll the open offers far more
 * often than offers change, so a page is kept until any row changes.
 */
struct offer_page_text {
	struct store_filter f;
	uint64_t version;
	char *text;
	size_t len;
};

/* A page of offers being written as JSON text. */
struct offer_page {
	struct larderd *d;
	FILE *f;
	int n;
	int failed;
	int64_t last;
};

static const char *offer_text(struct larderd *, const struct offer *);

/* Builds an offer's record as members see it. */
json_t *
offer_record_json(const struct offer *o)
{
	json_t *obj;

	obj = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:o, s:o, s:o,"
	                " s:I, s:b, s:s, s:s, s:o}",
	    "id", (json_int_t)o->id, "donor", o->donor_handle, "hub", o->hub,
	    "category", o->category, "storage", storage_name(o->storage),
	    "grams", (json_int_t)o->grams, "remaining",
	    (json_int_t)o->remaining,
	    o->date_type == DATE_USE_BY ? "use_by" : "best_before",
	    proto_time_json(o->date), "window_start",
	    proto_time_json(o->window_start), "window_end",
	    proto_time_json(o->window_end), "min_portion",
	    (json_int_t)o->min_portion, "divisible", o->divisible, "note",
	    o->note, "state", offer_state_name(o->state), "posted",
	    proto_time_json(o->posted));
	if (obj != NULL &&
	    json_object_set_new(obj, "deadline",
	        proto_time_json(o->deadline)) == 0 &&
	    json_object_set_new(obj, "fallback", json_string(o->fallback)) == 0)
		json_object_set_new(obj, "flash", json_boolean(o->flash));
	return obj;
}

/*
 * Writes an offer's record as JSON text: byte for byte what dumping
 * offer_record_json compactly in order writes (test_store checks), at a
 * tenth of the cost. Every offer posted is answered with its record and
 * every page listed is made of them.
 */
char *
offer_record_text(const struct offer *o)
{
	struct jtext t = JTEXT_INIT;

	jtext_raw(&t, "{\"id\":");
	jtext_int(&t, o->id);
	jtext_raw(&t, ",\"donor\":");
	jtext_str(&t, o->donor_handle);
	jtext_raw(&t, ",\"hub\":");
	jtext_str(&t, o->hub);
	jtext_raw(&t, ",\"category\":");
	jtext_str(&t, o->category);
	jtext_raw(&t, ",\"storage\":");
	jtext_str(&t, storage_name(o->storage));
	jtext_raw(&t, ",\"grams\":");
	jtext_int(&t, o->grams);
	jtext_raw(&t, ",\"remaining\":");
	jtext_int(&t, o->remaining);
	if (o->date_type == DATE_USE_BY)
		jtext_raw(&t, ",\"use_by\":");
	else
		jtext_raw(&t, ",\"best_before\":");
	jtext_time(&t, o->date);
	jtext_raw(&t, ",\"window_start\":");
	jtext_time(&t, o->window_start);
	jtext_raw(&t, ",\"window_end\":");
	jtext_time(&t, o->window_end);
	jtext_raw(&t, ",\"min_portion\":");
	jtext_int(&t, o->min_portion);
	if (o->divisible)
		jtext_raw(&t, ",\"divisible\":true");
	else
		jtext_raw(&t, ",\"divisible\":false");
	jtext_raw(&t, ",\"note\":");
	jtext_str(&t, o->note);
	jtext_raw(&t, ",\"state\":");
	jtext_str(&t, offer_state_name(o->state));
	jtext_raw(&t, ",\"posted\":");
	jtext_time(&t, o->posted);
	jtext_raw(&t, ",\"deadline\":");
	jtext_time(&t, o->deadline);
	jtext_raw(&t, ",\"fallback\":");
	jtext_str(&t, o->fallback);
	if (o->flash)
		jtext_raw(&t, ",\"flash\":true}");
	else
		jtext_raw(&t, ",\"flash\":false}");
	return jtext_end(&t);
}

/* Answers {"offer": record}, the record's text made or kept once. */
static int
offer_reply(struct call *c, const struct offer *o)
{
	return call_record(c, "offer", offer_text(c->d, o));
}

/* Reads the date: exactly one of use_by and best_before. */
static int
offer_date(struct call *c, struct offer *o)
{
	int has_use_by, has_best_before;

	has_use_by = proto_arg_time(c->req, "use_by", &o->date) == 0;
	has_best_before =
	    !has_use_by && proto_arg_time(c->req, "best_before", &o->date) == 0;
	if (has_use_by && proto_arg(c->req, "best_before") != NULL)
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "give use_by or best_before, not both");
	if (!has_use_by && !has_best_before)
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "offer.post needs use_by or best_before");
	o->date_type = has_use_by ? DATE_USE_BY : DATE_BEST_BEFORE;
	if (has_use_by && o->date <= c->now)
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "use_by is in the past");
	return 0;
}

/*
 * Reads the collection window. Without one, collection runs from now to
 * the use-by date; food past its best-before date (still safe to eat)
 * gets a day.
 */
static int
offer_window(struct call *c, struct offer *o)
{
	int has_start, has_end;

	has_start =
	    proto_arg_time(c->req, "window_start", &o->window_start) == 0;
	has_end = proto_arg_time(c->req, "window_end", &o->window_end) == 0;
	if (has_start != has_end)
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "give both window_start and window_end, or neither");
	if (!has_start) {
		o->window_start = c->now;
		o->window_end = o->date > c->now
		    ? o->date
		    : c->now + OFFER_PAST_BEST_BEFORE;
	}
	if (o->window_end <= o->window_start)
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "the collection window ends before it starts");
	if (o->window_end <= c->now)
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "the collection window has already ended");
	if (o->date_type == DATE_USE_BY && o->date <= o->window_start)
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "use_by comes before the collection window opens");
	return 0;
}

/* Reads quantity, divisibility and the smallest portion. */
static int
offer_quantity(struct call *c, struct offer *o)
{
	json_int_t grams = proto_arg_int(c->req, "grams", 0);
	json_int_t portion;

	if (grams < 1 || grams > VALID_MAX_GRAMS)
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "grams must be from 1 to %lld", VALID_MAX_GRAMS);
	o->grams = o->remaining = grams;
	o->divisible = proto_arg_bool(c->req, "divisible", 1);
	portion = proto_arg_int(c->req, "min_portion",
	    o->divisible
	        ? (grams < OFFER_DEFAULT_PORTION ? grams
	                                         : OFFER_DEFAULT_PORTION)
	        : grams);
	if (portion < 1 || portion > grams)
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "min_portion must be from 1 to the offer's %lld grams",
		    (long long)grams);
	if (!o->divisible && portion != grams)
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "an indivisible offer goes whole; leave out min_portion");
	o->min_portion = portion;
	return 0;
}

/* Reads where the food goes if nobody takes it. */
static int
offer_fallback(struct call *c, struct offer *o)
{
	const char *fallback = proto_arg_str(c->req, "fallback");

	if (fallback == NULL)
		fallback = "other";
	if (!waste_destination_ok(fallback))
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "fallback \"%s\" "
		    "is not compost, anaerobic_digestion, animal_feed, "
		    "landfill, incineration, sewer or other",
		    fallback);
	proto_copy(o->fallback, sizeof o->fallback, fallback);
	return 0;
}

/* Reads and checks offer.post's arguments into o. */
static int
offer_args(struct call *c, struct offer *o)
{
	const char *category = proto_arg_str(c->req, "category");
	const char *storage = proto_arg_str(c->req, "storage");
	const char *note = proto_arg_str(c->req, "note");

	if (!config_has_category(c->d->conf, category))
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "category \"%s\" is not one of this network's categories",
		    category);
	proto_copy(o->category, sizeof o->category, category);
	if (storage_parse(storage != NULL ? storage : "ambient", &o->storage) !=
	    0)
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "storage \"%s\" is not ambient, chilled or frozen",
		    storage);
	if (note != NULL && !valid_text(note))
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "note has control characters");
	proto_copy(o->note, sizeof o->note, note != NULL ? note : "");
	if (offer_fallback(c, o) != 0 || offer_quantity(c, o) != 0 ||
	    offer_date(c, o) != 0 || offer_window(c, o) != 0)
		return -1;
	o->deadline = market_deadline(c->d, o);
	if (o->deadline <= c->now)
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "use_by is too "
		    "close: food must be handed over %lld minutes before it",
		    (long long)engine_rules(c->d->engine)->margin / 60);
	return 0;
}

/*
 * Appends the exchange-log record of a new offer, written from its
 * members without a jansson tree: building the tree, writing it out and
 * reading its facts back were a sixth of offer.post's work.
 */
static int
offer_posted(struct call *c, const struct offer *o, json_int_t challenge)
{
	struct exfield f[16];
	size_t n = 0;

	/* In key order, as the log writes them: its sort has less to do. */
	if (o->date_type != DATE_USE_BY)
		f[n++] = (struct exfield){"best_before", METRICS_TIME, NULL,
		    (int64_t)o->date};
	f[n++] = (struct exfield){"category", METRICS_TEXT, o->category, 0};
	if (challenge != 0)
		f[n++] =
		    (struct exfield){"challenge", METRICS_INT, NULL, challenge};
	f[n++] = (struct exfield){"deadline", METRICS_TIME, NULL,
	    (int64_t)o->deadline};
	f[n++] =
	    (struct exfield){"divisible", METRICS_BOOL, NULL, o->divisible};
	f[n++] = (struct exfield){"fallback", METRICS_TEXT, o->fallback, 0};
	f[n++] = (struct exfield){"grams", METRICS_INT, NULL, o->grams};
	f[n++] = (struct exfield){"hub", METRICS_TEXT, o->hub, 0};
	f[n++] = (struct exfield){"member", METRICS_TEXT, o->donor_handle, 0};
	f[n++] =
	    (struct exfield){"min_portion", METRICS_INT, NULL, o->min_portion};
	f[n++] = (struct exfield){"offer", METRICS_INT, NULL, o->id};
	f[n++] = (struct exfield){"storage", METRICS_TEXT,
	    storage_name(o->storage), 0};
	if (o->date_type == DATE_USE_BY)
		f[n++] = (struct exfield){"use_by", METRICS_TIME, NULL,
		    (int64_t)o->date};
	f[n++] = (struct exfield){"window_end", METRICS_TIME, NULL,
	    (int64_t)o->window_end};
	f[n++] = (struct exfield){"window_start", METRICS_TIME, NULL,
	    (int64_t)o->window_start};
	return exlog_append_fields(c->d->log, c->now, "offer.posted",
	    call_actor(c), f, n);
}

int
h_offer_post(struct call *c)
{
	const struct member *m = session_member(c->s);
	json_int_t challenge = proto_arg_int(c->req, "challenge", 0);
	struct offer o;
	uint64_t version;

	memset(&o, 0, sizeof o);
	if (offer_args(c, &o) != 0 ||
	    (challenge != 0 && gov_challenge_check(c, challenge) != 0) ||
	    call_open_cap(c, "offer", c->d->conf->open_offers) != 0)
		return -1;
	o.donor = m->id;
	proto_copy(o.donor_handle, sizeof o.donor_handle, m->handle);
	proto_copy(o.hub, sizeof o.hub, m->hub);
	o.state = OFFER_OPEN;
	o.posted = c->now;
	if (store_offer_insert(c->d->store, &o) != 0 ||
	    (challenge != 0 &&
	        store_set_challenge(c->d->store, "offer", o.id, challenge) !=
	            0))
		return call_store_error(c);
	if (offer_posted(c, &o, challenge) != 0)
		return call_store_error(c);
	log_info("offer %lld: %s posted %lld g of %s", (long long)o.id,
	    o.donor_handle, (long long)o.grams, o.category);
	/* The policy may have given some away at once: then read it back. */
	version = store_version(c->d->store);
	if (market_offer_posted(c->d, &o, c->now) != 0 ||
	    (store_version(c->d->store) != version &&
	        store_offer_get(c->d->store, o.id, &o) != 1))
		return call_store_error(c);
	return offer_reply(c, &o);
}

/* Copies every field of o into a zeroed key, so keys compare as bytes. */
static void
offer_key(const struct offer *o, struct offer *k)
{
	memset(k, 0, sizeof *k);
	k->id = o->id;
	k->donor = o->donor;
	strcpy(k->donor_handle, o->donor_handle);
	strcpy(k->category, o->category);
	k->storage = o->storage;
	k->date_type = o->date_type;
	k->date = o->date;
	k->grams = o->grams;
	k->remaining = o->remaining;
	k->min_portion = o->min_portion;
	k->divisible = o->divisible;
	k->window_start = o->window_start;
	k->window_end = o->window_end;
	strcpy(k->hub, o->hub);
	strcpy(k->note, o->note);
	k->state = o->state;
	k->posted = o->posted;
	k->deadline = o->deadline;
	strcpy(k->fallback, o->fallback);
	k->flash = o->flash;
}

/*
 * Returns offer o's record as JSON text. Building and dumping the JSON
 * is most of a listing's cost, so the text of each listed offer is kept,
 * by id, with every field it was made from: it is used again only while
 * the row read from the store is the same in every field.
 */
static const char *
offer_text(struct larderd *d, const struct offer *o)
{
	struct offer_text *t;
	struct offer k;
	char *text;

	if (d->offer_texts == NULL &&
	    (d->offer_texts = calloc(OFFER_TEXTS, sizeof *d->offer_texts)) ==
	        NULL)
		return NULL;
	t = &d->offer_texts[(uint64_t)o->id % OFFER_TEXTS];
	offer_key(o, &k);
	if (t->text != NULL && memcmp(&t->key, &k, sizeof k) == 0)
		return t->text;
	if ((text = offer_record_text(o)) == NULL)
		return NULL;
	free(t->text);
	t->text = text;
	t->key = k;
	return text;
}

/* Frees the kept texts of listed offers and pages. */
void
h_offer_texts_free(struct larderd *d)
{
	size_t i;

	if (d->offer_pages != NULL) {
		for (i = 0; i < OFFER_PAGES; i++)
			free(d->offer_pages[i].text);
		free(d->offer_pages);
		d->offer_pages = NULL;
	}
	if (d->offer_texts == NULL)
		return;
	for (i = 0; i < OFFER_TEXTS; i++)
		free(d->offer_texts[i].text);
	free(d->offer_texts);
	d->offer_texts = NULL;
}

/* Whether two listings ask for the same page (every field of a filter). */
static int
offer_page_same(const struct store_filter *a, const struct store_filter *b)
{
	return a->member == b->member && a->open_only == b->open_only &&
	    a->after == b->after && a->limit == b->limit;
}

/* Where the page asked for by f is kept, or NULL (out of memory). */
static struct offer_page_text *
offer_page_slot(struct larderd *d, const struct store_filter *f)
{
	uint64_t h;

	if (d->offer_pages == NULL &&
	    (d->offer_pages = calloc(OFFER_PAGES, sizeof *d->offer_pages)) ==
	        NULL)
		return NULL;
	h = (uint64_t)f->member * 31 + (uint64_t)f->after * 7 +
	    (uint64_t)f->limit * 3 + (uint64_t)f->open_only;
	return &d->offer_pages[h % OFFER_PAGES];
}

static int
offer_page_add(void *arg, const struct offer *o)
{
	struct offer_page *p = arg;
	const char *text = offer_text(p->d, o);

	if (text == NULL) {
		p->failed = 1;
		return -1;
	}
	if (p->n++ > 0)
		fputc(',', p->f);
	fputs(text, p->f);
	p->last = o->id;
	return 0;
}

/*
 * Lists offers as {"offers": [...], "next": cursor or null}, written as
 * text from each offer's kept record rather than built as one object.
 */
int
h_offer_list(struct call *c)
{
	struct store_filter f;
	struct page pg;
	struct offer_page p;
	char *buf = NULL;
	size_t len;
	int rc;

	struct offer_page_text *kept;
	uint64_t version;

	if (call_page_begin(c, &f, &pg) != 0)
		return -1;
	json_decref(pg.items);
	version = store_version(c->d->store);
	kept = offer_page_slot(c->d, &f);
	if (kept != NULL && kept->text != NULL && kept->version == version &&
	    offer_page_same(&kept->f, &f)) {
		if ((c->raw = malloc(kept->len + 1)) == NULL)
			return call_fail(c, PROTO_INTERNAL, "out of memory");
		memcpy(c->raw, kept->text, kept->len + 1);
		return 0;
	}
	memset(&p, 0, sizeof p);
	p.d = c->d;
	if ((p.f = open_memstream(&buf, &len)) == NULL)
		return call_fail(c, PROTO_INTERNAL, "out of memory");
	fputs("{\"offers\":[", p.f);
	rc = store_offer_list(c->d->store, &f, offer_page_add, &p);
	if (p.n == f.limit)
		fprintf(p.f, "],\"next\":%lld}", (long long)p.last);
	else
		fputs("],\"next\":null}", p.f);
	if (fclose(p.f) != 0 || p.failed) {
		free(buf);
		return call_fail(c, PROTO_INTERNAL, "out of memory");
	}
	if (rc != 0) {
		free(buf);
		return call_fail(c, PROTO_UNAVAILABLE, "store: %s",
		    store_errmsg(c->d->store));
	}
	if (kept != NULL &&
	    (kept->text == NULL || kept->len < len || kept->len > 4 * len)) {
		free(kept->text);
		kept->text = malloc(len + 1);
	}
	if (kept != NULL && kept->text != NULL) {
		memcpy(kept->text, buf, len + 1);
		kept->len = len;
		kept->f = f;
		kept->version = version;
	}
	c->raw = buf;
	return 0;
}

/* Loads the offer named by the request's id. */
static int
offer_load(struct call *c, struct offer *o)
{
	json_int_t id = proto_arg_int(c->req, "offer", 0);
	int rc;

	rc = store_offer_get(c->d->store, id, o);
	if (rc < 0)
		return call_store_error(c);
	if (rc == 0)
		return call_fail(c, PROTO_NOT_FOUND, "no offer %lld",
		    (long long)id);
	return 0;
}

int
h_offer_show(struct call *c)
{
	struct offer o;

	if (offer_load(c, &o) != 0)
		return -1;
	return offer_reply(c, &o);
}

int
h_offer_withdraw(struct call *c)
{
	const struct member *m = session_member(c->s);
	struct offer o;
	int64_t left;

	if (offer_load(c, &o) != 0)
		return -1;
	if (o.donor != m->id)
		return call_fail(c, PROTO_FORBIDDEN, "offer %lld belongs to %s",
		    (long long)o.id, o.donor_handle);
	if (o.state != OFFER_OPEN)
		return call_fail(c, PROTO_CONFLICT,
		    "offer %lld is %s, not open", (long long)o.id,
		    offer_state_name(o.state));
	left = engine_offer_get(c->d->engine, o.id) != NULL
	    ? engine_offer_get(c->d->engine, o.id)->free
	    : o.remaining;
	if (market_end_offer(c->d, o.id, c->now) != 0 ||
	    store_offer_set_state(c->d->store, o.id, OFFER_WITHDRAWN) != 0 ||
	    store_offer_set_remaining(c->d->store, o.id, 0) != 0 ||
	    exlog_append(c->d->log, c->now, "offer.withdrawn", call_actor(c),
	        json_pack("{s:I, s:s, s:I}", "offer", (json_int_t)o.id,
	            "member", o.donor_handle, "grams", (json_int_t)left)) != 0)
		return call_store_error(c);
	log_info("offer %lld: withdrawn by %s", (long long)o.id, m->handle);
	o.state = OFFER_WITHDRAWN;
	o.remaining = 0;
	c->result = json_pack("{s:o}", "offer", offer_record_json(&o));
	return 0;
}
