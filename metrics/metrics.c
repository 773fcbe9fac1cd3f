/*
 * metrics.c: reading exchange-log events into the metrics core: each
 * event is read for its facts (from its JSON object here, or from columns
 * a store keeps) and reduced to a small record, members and hubs are
 * numbered, and later corrections of collected weights are kept beside
 * the collection they correct.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_impl.h"
#include "proto.h"

const char *const metrics_destinations[NDEST] = {"compost",
    "anaerobic_digestion", "animal_feed", "landfill", "incineration", "sewer",
    "other"};

const char *const metrics_causes[NCAUSE] = {"unclaimed", "rejected", "spoiled",
    "past_date", "other"};

/*
 * The kinds the figures read, sorted by name for a binary search; nested
 * ones need their whole event.
 */
static const struct mkind_name {
	const char *name;
	enum mkind kind;
	int nested;
} kinds[] = {
    {"allocation.accepted", MK_ACCEPTED, 0},
    {"allocation.claimed", MK_CLAIMED, 0},
    {"allocation.collected", MK_COLLECTED, 0},
    {"allocation.corrected", MK_CORRECTED, 0},
    {"allocation.no_show", MK_NO_SHOW, 0},
    {"challenge.closed", MK_CHALLENGE_CLOSED, 0},
    {"dispute.raised", MK_DISPUTE_RAISED, 0},
    {"dispute.settled", MK_DISPUTE_SETTLED, 0},
    {"ledger.balances", MK_BALANCES, 1},
    {"member.joined", MK_MEMBER_JOINED, 0},
    {"offer.posted", MK_OFFER_POSTED, 0},
    {"people.reported", MK_PEOPLE, 0},
    {"referral.made", MK_REFERRAL, 1},
    {"request.posted", MK_REQUEST_POSTED, 0},
    {"waste.recorded", MK_WASTE, 0},
};

static const struct mkind_name kind_other = {NULL, MK_OTHER, 0};

/* Makes an empty core with the factors to apply and the network's name. */
struct metrics *
metrics_new(const struct metrics_factors *f, const char *network)
{
	struct metrics *m;

	if ((m = calloc(1, sizeof *m)) == NULL)
		return NULL;
	m->factors = *f;
	m->network = strdup(network != NULL ? network : "Larder network");
	m->member_ids = json_object();
	m->hub_ids = json_object();
	idmap_init(&m->corrected);
	if (m->network == NULL || m->member_ids == NULL || m->hub_ids == NULL) {
		metrics_free(m);
		return NULL;
	}
	return m;
}

void
metrics_free(struct metrics *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nmembers; i++)
		free(m->members[i]);
	for (i = 0; i < m->nhubs; i++)
		free(m->hubs[i]);
	for (i = 0; i < m->nfloors; i++)
		free(m->floors[i].members);
	free(m->members);
	free(m->member_hub);
	free(m->member_joined);
	free(m->hubs);
	free(m->floors);
	free(m->fixes);
	free(m->ev);
	free(m->network);
	json_decref(m->member_ids);
	json_decref(m->hub_ids);
	idmap_free(&m->corrected);
	free(m);
}

size_t
metrics_count(const struct metrics *m)
{
	return m->nev;
}

/* Makes room for one more item in an array. */
static int
metrics_room(void **rows, size_t *cap, size_t n, size_t size)
{
	void *p;
	size_t want;

	if (n < *cap)
		return 0;
	want = *cap == 0 ? 64 : *cap * 2;
	if ((p = realloc(*rows, want * size)) == NULL)
		return -1;
	*rows = p;
	*cap = want;
	return 0;
}

/* Numbers a hub name, the first time it is seen. */
static int32_t
metrics_hub(struct metrics *m, const char *name)
{
	json_t *id;

	if (name == NULL)
		return -1;
	if ((id = json_object_get(m->hub_ids, name)) != NULL)
		return (int32_t)json_integer_value(id);
	if (metrics_room((void **)&m->hubs, &m->hubcap, m->nhubs,
	        sizeof *m->hubs) != 0 ||
	    (m->hubs[m->nhubs] = strdup(name)) == NULL)
		return -1;
	json_object_set_new(m->hub_ids, name,
	    json_integer((json_int_t)m->nhubs));
	return (int32_t)m->nhubs++;
}

/* Numbers a member's handle, the first time it is seen. */
static int32_t
metrics_member(struct metrics *m, const char *handle)
{
	json_t *id;
	size_t n = m->nmembers;

	if (handle == NULL)
		return -1;
	if ((id = json_object_get(m->member_ids, handle)) != NULL)
		return (int32_t)json_integer_value(id);
	if (metrics_room((void **)&m->members, &m->memcap, n,
	        sizeof *m->members) != 0)
		return -1;
	m->member_hub =
	    realloc(m->member_hub, m->memcap * sizeof *m->member_hub);
	m->member_joined =
	    realloc(m->member_joined, m->memcap * sizeof *m->member_joined);
	if (m->member_hub == NULL || m->member_joined == NULL ||
	    (m->members[n] = strdup(handle)) == NULL)
		return -1;
	m->member_hub[n] = -1;
	m->member_joined[n] = 0;
	json_object_set_new(m->member_ids, handle, json_integer((json_int_t)n));
	m->nmembers++;
	return (int32_t)n;
}

/* A member already known by handle, or -1 (the administrator, say). */
static int32_t
metrics_known(const struct metrics *m, const char *handle)
{
	json_t *id =
	    handle != NULL ? json_object_get(m->member_ids, handle) : NULL;

	return id != NULL ? (int32_t)json_integer_value(id) : -1;
}

/* Finds a word's place in a list, or the list's last word ("other"). */
static int8_t
metrics_word(const char *word, const char *const *list, int n)
{
	int i;

	for (i = 0; word != NULL && i < n; i++) {
		if (strcmp(word, list[i]) == 0)
			return (int8_t)i;
	}
	return (int8_t)(n - 1);
}

/* Finds a kind by name; the others are all MK_OTHER. */
static const struct mkind_name *
metrics_kind(const char *name)
{
	size_t lo = 0, hi = sizeof kinds / sizeof kinds[0], mid;
	int cmp;

	while (name != NULL && lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((cmp = strcmp(name, kinds[mid].name)) == 0)
			return &kinds[mid];
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return &kind_other;
}

/* Whether events of a kind keep facts that only their whole object has. */
int
metrics_nested(const char *kind)
{
	return metrics_kind(kind)->nested;
}

/* The members of an event that carry facts, sorted by key (memcmp). */
static const struct metrics_fact_key {
	const char *key;
	enum metrics_value type;
	size_t off;
	unsigned bit; /* for numbers, the flag that says it is there */
} fact_keys[] = {
#define FACT(key, type, field, bit)                                            \
	{                                                                      \
		key, type, offsetof(struct metrics_facts, field), bit          \
	}
    FACT("allocation", METRICS_INT, allocation, METRICS_HAS_ALLOCATION),
    FACT("at", METRICS_TIME, at, 0),
    FACT("cause", METRICS_TEXT, cause, 0),
    FACT("challenge", METRICS_INT, challenge, METRICS_HAS_CHALLENGE),
    FACT("destination", METRICS_TEXT, destination, 0),
    FACT("donor", METRICS_TEXT, donor, 0),
    FACT("grams", METRICS_INT, grams, METRICS_HAS_GRAMS),
    FACT("how", METRICS_TEXT, how, 0),
    FACT("hub", METRICS_TEXT, hub, 0),
    FACT("kind", METRICS_TEXT, kind, 0),
    FACT("member", METRICS_TEXT, member, 0),
    FACT("offer", METRICS_INT, offer, METRICS_HAS_OFFER),
    FACT("people", METRICS_INT, people, METRICS_HAS_PEOPLE),
    FACT("raised", METRICS_TIME, raised, 0),
    FACT("resolved", METRICS_BOOL, resolved, METRICS_HAS_RESOLVED),
    FACT("reverses_no_show", METRICS_BOOL, reverses_no_show,
        METRICS_HAS_REVERSES),
    FACT("week", METRICS_TIME, week, 0),
#undef FACT
};

/*
 * Sets the fact one member of an event gives: text, an integer or true
 * or false (num), or a time already read (num). A time may also come as
 * RFC 3339 text, and is 0 when that does not read. A member that gives
 * no fact, or a value not of its fact's type, is passed over.
 */
void
metrics_fact(struct metrics_facts *f, const char *key, enum metrics_value type,
    const char *text, int64_t num)
{
	const struct metrics_fact_key *k, *end;
	char *field;
	time_t t;

	/* Keys are few and sorted: their first letters rule most out. */
	end = fact_keys + sizeof fact_keys / sizeof fact_keys[0];
	for (k = fact_keys; k < end && k->key[0] <= key[0]; k++) {
		if (k->key[0] == key[0] && strcmp(k->key, key) == 0)
			break;
	}
	if (k == end || k->key[0] != key[0])
		return;
	field = (char *)f + k->off;
	switch (k->type) {
	case METRICS_TEXT:
		if (type == METRICS_TEXT)
			*(const char **)(void *)field = text;
		break;
	case METRICS_TIME:
		if (type == METRICS_TIME)
			*(time_t *)(void *)field = (time_t)num;
		else if (type == METRICS_TEXT)
			*(time_t *)(void *)field =
			    proto_time_parse(text, &t) == 0 ? t : 0;
		break;
	case METRICS_INT:
		if (type == METRICS_INT) {
			*(int64_t *)(void *)field = num;
			f->has |= k->bit;
		}
		break;
	case METRICS_BOOL:
		if (type == METRICS_BOOL) {
			*(int *)(void *)field = num != 0;
			f->has |= k->bit;
		}
		break;
	}
}

/* Reads an event's facts from its object (borrowed, and kept in f). */
void
metrics_facts_read(const json_t *ev, struct metrics_facts *f)
{
	/* jansson's iteration takes no const object; it changes nothing. */
	json_t *obj = (json_t *)(uintptr_t)ev, *v;
	const char *key;

	memset(f, 0, sizeof *f);
	json_object_foreach(obj, key, v)
	{
		switch (json_typeof(v)) {
		case JSON_STRING:
			metrics_fact(f, key, METRICS_TEXT, json_string_value(v),
			    0);
			break;
		case JSON_INTEGER:
			metrics_fact(f, key, METRICS_INT, NULL,
			    json_integer_value(v));
			break;
		case JSON_TRUE:
		case JSON_FALSE:
			metrics_fact(f, key, METRICS_BOOL, NULL,
			    json_is_true(v));
			break;
		default:
			break;
		}
	}
	f->event = ev;
}

/* Notes the members a ledger.balances event finds at the floor. */
static int
metrics_floor(struct metrics *m, const json_t *ev, struct mev *e)
{
	json_t *balances = json_object_get(ev, "balances"), *v;
	json_int_t cap = json_integer_value(json_object_get(ev, "cap"));
	struct mfloor *f;
	const char *handle;

	if (metrics_room((void **)&m->floors, &m->floorcap, m->nfloors,
	        sizeof *m->floors) != 0)
		return -1;
	f = &m->floors[m->nfloors];
	memset(f, 0, sizeof *f);
	f->members = calloc(json_object_size(balances) + 1, sizeof *f->members);
	if (f->members == NULL)
		return -1;
	json_object_foreach((json_t *)balances, handle, v)
	{
		if (cap > 0 && json_integer_value(v) <= -cap)
			f->members[f->n++] = metrics_member(m, handle);
	}
	e->floor = (int32_t)m->nfloors++;
	return 0;
}

/* Keeps the latest corrected weight of a collected allocation. */
static int
metrics_correct(struct metrics *m, const struct mev *e)
{
	size_t slot;

	if (idmap_get(&m->corrected, e->alloc, &slot)) {
		m->fixes[slot] = e->grams;
		return 0;
	}
	if (metrics_room((void **)&m->fixes, &m->fixcap, m->nfixes,
	        sizeof *m->fixes) != 0 ||
	    idmap_put(&m->corrected, e->alloc, m->nfixes) != 0)
		return -1;
	m->fixes[m->nfixes++] = e->grams;
	return 0;
}

/* The weight of a collection, as last corrected. */
int64_t
metrics_collected_grams(const struct metrics *m, const struct mev *e)
{
	size_t slot;

	if (idmap_get(&m->corrected, e->alloc, &slot))
		return m->fixes[slot];
	return e->grams;
}

/* Fills the members and hub fields common to every kind. */
static void
metrics_parties(struct metrics *m, const struct metrics_facts *f, struct mev *e)
{
	e->member = metrics_member(m, f->member);
	e->donor = metrics_member(m, f->donor);
	e->hub = metrics_hub(m, f->hub);
	if (e->hub < 0 && e->member >= 0)
		e->hub = m->member_hub[e->member];
	if (e->kind == MK_MEMBER_JOINED && e->member >= 0) {
		m->member_hub[e->member] = e->hub;
		m->member_joined[e->member] = e->at;
	}
}

/*
 * Adds a referral as one record per member referred, the referrer as
 * member and the referred as donor: each is a connection.
 */
static int
metrics_referral(struct metrics *m, const struct metrics_facts *f,
    struct mev *e, char **cause)
{
	json_t *who;
	size_t i;

	e->member = metrics_known(m, f->member);
	json_array_foreach(json_object_get(f->event, "referred"), i, who)
	{
		e->donor = metrics_known(m, json_string_value(who));
		if (e->member < 0 || e->donor < 0 || e->donor == e->member)
			continue;
		e->hub = m->member_hub[e->member];
		if (metrics_room((void **)&m->ev, &m->cap, m->nev,
		        sizeof *m->ev) != 0)
			return asprintf(cause, "out of memory"), -1;
		m->ev[m->nev++] = *e;
	}
	return 0;
}

/*
 * Adds one event's facts (borrowed). Events must come in sequence order;
 * one without a kind and a time is refused, and so is one of a nested
 * kind without its whole object.
 */
int
metrics_add_facts(struct metrics *m, const struct metrics_facts *f,
    char **cause)
{
	const struct mkind_name *k = metrics_kind(f->kind);
	struct mev e;

	if (f->kind == NULL || f->at == 0)
		return asprintf(cause, "not an exchange-log event"), -1;
	if (k->nested && f->event == NULL)
		return asprintf(cause, "%s needs its whole event", f->kind), -1;
	memset(&e, 0, sizeof e);
	e.kind = (int8_t)k->kind;
	e.at = f->at;
	e.floor = -1;
	e.grams = f->grams;
	e.offer = f->offer;
	e.has_offer = (f->has & METRICS_HAS_OFFER) != 0;
	e.alloc = f->allocation;
	e.people = f->people;
	e.week = f->week;
	e.dest = metrics_word(f->destination, metrics_destinations, NDEST);
	e.cause = metrics_word(f->cause, metrics_causes, NCAUSE);
	e.reverses = f->reverses_no_show != 0;
	e.resolved = f->resolved != 0;
	e.challenge = f->challenge;
	e.raised = f->raised;
	if (f->how != NULL && strcmp(f->how, "rejected") == 0)
		e.kind = MK_OTHER;
	if (e.kind == MK_REFERRAL)
		return metrics_referral(m, f, &e, cause);
	metrics_parties(m, f, &e);
	if ((e.kind == MK_BALANCES && metrics_floor(m, f->event, &e) != 0) ||
	    (e.kind == MK_CORRECTED && metrics_correct(m, &e) != 0) ||
	    metrics_room((void **)&m->ev, &m->cap, m->nev, sizeof *m->ev) != 0)
		return asprintf(cause, "out of memory"), -1;
	m->ev[m->nev++] = e;
	return 0;
}

/* Adds one event (borrowed), an object with a kind and a time. */
int
metrics_add(struct metrics *m, const json_t *ev, char **cause)
{
	struct metrics_facts f;

	if (!json_is_object(ev))
		return asprintf(cause, "not an exchange-log event"), -1;
	metrics_facts_read(ev, &f);
	return metrics_add_facts(m, &f, cause);
}

/* Adds one line of an export (JSON text, without its newline). */
int
metrics_add_line(struct metrics *m, const char *line, size_t len, char **cause)
{
	json_error_t error;
	json_t *ev;
	int rc;

	if ((ev = json_loadb(line, len, 0, &error)) == NULL)
		return asprintf(cause, "not JSON: %s", error.text), -1;
	rc = metrics_add(m, ev, cause);
	json_decref(ev);
	return rc;
}

/* Sets [from, to) to the calendar month "YYYY-MM" in UTC. */
int
metrics_month(const char *label, time_t *from, time_t *to)
{
	struct tm tm;
	int y, mo;
	char end;

	if (sscanf(label, "%4d-%2d%c", &y, &mo, &end) != 2 || y < 1970 ||
	    mo < 1 || mo > 12 || strlen(label) != 7)
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = 1;
	*from = timegm(&tm);
	tm.tm_mon++;
	*to = timegm(&tm);
	return 0;
}

/* Builds the report for [from, to), for one hub or (NULL) all. */
json_t *
metrics_report(struct metrics *m, time_t from, time_t to, const char *hub)
{
	json_t *id = hub != NULL ? json_object_get(m->hub_ids, hub) : NULL;
	int32_t h = hub == NULL ? -1
	    : id != NULL        ? (int32_t)json_integer_value(id)
	                        : (int32_t)m->nhubs;

	return figures_report(m, from, to, h, hub);
}
