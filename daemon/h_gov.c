/*
 * h_gov.c: the members govern the network: rules change by proposals
 * they vote on, no-shows move a member down a ladder of sanctions that a
 * clean record climbs back up, and a referral finds who serves a
 * resident's district.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "larderd.h"
#include "log.h"
#include "rules.h"
#include "valid.h"

#define DAY 86400

enum { PROPOSAL_OPEN, PROPOSAL_PASSED, PROPOSAL_REJECTED, PROPOSAL_NO_QUORUM };

static const char *const proposal_states[] = {"open", "passed", "rejected",
    "no_quorum"};
static const char *const choices[] = {"yes", "no", "abstain"};
static const char *const standings[] = {"good", "warning", "restricted",
    "suspended"};

/* Turns a stored proposal object into its record as members see it. */
static json_t *
gov_proposal_view(json_t *p)
{
	json_int_t state = json_integer_value(json_object_get(p, "state"));
	json_int_t closed = json_integer_value(json_object_get(p, "closed"));

	if (p == NULL)
		return NULL;
	json_object_set_new(p, "state",
	    json_string(proposal_states[state >= 0 && state < 4 ? state : 0]));
	json_object_set_new(p, "opened",
	    proto_time_json(
	        (time_t)json_integer_value(json_object_get(p, "opened"))));
	json_object_set_new(p, "closes",
	    proto_time_json(
	        (time_t)json_integer_value(json_object_get(p, "closes"))));
	json_object_set_new(p, "closed",
	    closed > 0 ? proto_time_json((time_t)closed) : json_null());
	return p;
}

int
h_rules_show(struct call *c)
{
	const struct engine_rules *r = engine_rules(c->d->engine);
	json_t *stored = store_rules_json(c->d->store), *list = json_array();
	json_t *row;
	const struct rule *rule;
	char value[64];
	size_t i;

	for (i = 0; (rule = rules_at(i)) != NULL; i++) {
		rules_format(rule, r, value, sizeof value);
		row = json_object_get(stored, rule->key);
		json_array_append_new(list,
		    json_pack("{s:s, s:s, s:s, s:o, "
		              "s:s}",
		        "key", rule->key, "value", value, "about", rule->about,
		        "changed",
		        row != NULL
		            ? proto_time_json((time_t)json_integer_value(
		                  json_object_get(row, "changed")))
		            : json_null(),
		        "decision",
		        row != NULL ? json_string_value(
		                          json_object_get(row, "decision"))
		                    : "default"));
	}
	json_decref(stored);
	c->result = json_pack("{s:o}", "rules", list);
	return 0;
}

/* The arguments that describe a new member, for admit proposals only. */
static const char *const admit_fields[] = {"name", "hub", "people", "storage",
    "catchment", NULL};

/*
 * Checks what a proposal would change, before anyone votes on it; for
 * an admit proposal, writes the new member's details to *admit.
 */
static int
gov_proposal_check(struct call *c, const char *kind, json_t **admit)
{
	const char *key = proto_arg_str(c->req, "key");
	const char *value = proto_arg_str(c->req, "value");
	const char *member = proto_arg_str(c->req, "member");
	struct engine_rules r = *engine_rules(c->d->engine);
	struct member m;
	char *cause = NULL;
	size_t i;

	*admit = NULL;
	if (strcmp(kind, "admit") == 0)
		return admit_check(c, admit);
	for (i = 0; admit_fields[i] != NULL; i++) {
		if (proto_arg(c->req, admit_fields[i]) != NULL)
			return call_fail(c, PROTO_INVALID_ARGUMENT,
			    "\"%s\" goes only with kind admit",
			    admit_fields[i]);
	}
	if (strcmp(kind, "rule") == 0) {
		if (key == NULL || value == NULL)
			return call_fail(c, PROTO_INVALID_ARGUMENT,
			    "a rule proposal needs \"key\" and \"value\"");
		if (rules_parse(key, value, &r, &cause) != 0) {
			call_fail(c, PROTO_INVALID_ARGUMENT, "%s", cause);
			free(cause);
			return -1;
		}
		return 0;
	}
	if (strcmp(kind, "suspend") != 0 && strcmp(kind, "reinstate") != 0)
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "kind \"%s\" is not rule, suspend, reinstate or admit",
		    kind);
	if (member == NULL)
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "a %s proposal needs \"member\"", kind);
	if (store_member_by_handle(c->d->store, member, &m) != 1)
		return call_fail(c, PROTO_NOT_FOUND, "no member \"%s\"",
		    member);
	return 0;
}

/* Logs a new proposal in the exchange log. */
static int
gov_proposal_logged(struct call *c, const struct store_proposal *sp, int64_t id,
    json_t *admit)
{
	json_t *ev = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o}",
	    "proposal", (json_int_t)id, "proposal_kind", sp->kind, "key",
	    sp->key, "value", sp->value, "member", sp->member, "why", sp->why,
	    "closes", proto_time_json(sp->closes));

	if (ev != NULL && admit != NULL)
		json_object_set(ev, "admit", admit);
	return exlog_append(c->d->log, c->now, "proposal.opened", sp->by, ev);
}

/* Fills in a new proposal from the request, but for its checks. */
static void
gov_proposal_fill(struct call *c, struct store_proposal *sp)
{
	const char *key = proto_arg_str(c->req, "key");
	const char *value = proto_arg_str(c->req, "value");
	const char *member = proto_arg_str(c->req, "member");

	memset(sp, 0, sizeof *sp);
	sp->kind = proto_arg_str(c->req, "kind");
	sp->key = key != NULL ? key : "";
	sp->value = value != NULL ? value : "";
	sp->member = member != NULL ? member : "";
	sp->admit = "";
	sp->why = proto_arg_str(c->req, "why");
	sp->by = call_actor(c);
	sp->opened = c->now;
	sp->closes = c->now + engine_rules(c->d->engine)->vote_period;
	proto_arg_time(c->req, "closes", &sp->closes);
	sp->members = store_voter_count(c->d->store);
}

/* Stores and logs a checked proposal, and answers with it. */
static int
gov_proposal_insert(struct call *c, struct store_proposal *sp, json_t *admit)
{
	char *text = NULL;
	int64_t id = -1;

	if (admit != NULL &&
	    (text = json_dumps(admit, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		return call_fail(c, PROTO_INTERNAL, "out of memory");
	sp->admit = text != NULL ? text : "";
	id = store_proposal_insert(c->d->store, sp);
	free(text);
	if (id < 0 || gov_proposal_logged(c, sp, id, admit) != 0)
		return call_store_error(c);
	log_info("proposal %lld: %s opened by %s", (long long)id, sp->kind,
	    sp->by);
	c->result = json_pack("{s:o}", "proposal",
	    gov_proposal_view(store_proposal_json(c->d->store, id)));
	return 0;
}

int
h_proposal_open(struct call *c)
{
	struct store_proposal sp;
	json_t *admit = NULL;
	int rc;

	gov_proposal_fill(c, &sp);
	if (gov_proposal_check(c, sp.kind, &admit) != 0)
		return -1;
	if (!valid_text(sp.why))
		rc = call_fail(c, PROTO_INVALID_ARGUMENT,
		    "why has control characters");
	else if (sp.closes <= c->now)
		rc = call_fail(c, PROTO_INVALID_ARGUMENT,
		    "closes is in the past");
	else
		rc = gov_proposal_insert(c, &sp, admit);
	json_decref(admit);
	return rc;
}

/* Loads the proposal the request names. */
static json_t *
gov_proposal_load(struct call *c)
{
	json_int_t id = proto_arg_int(c->req, "proposal", 0);
	json_t *p = store_proposal_json(c->d->store, id);

	if (p == NULL)
		call_fail(c, PROTO_NOT_FOUND, "no proposal %lld",
		    (long long)id);
	return p;
}

int
h_proposal_vote(struct call *c)
{
	const struct member *m = session_member(c->s);
	const char *choice = proto_arg_str(c->req, "choice");
	json_t *p;
	json_int_t id;
	int k;

	for (k = 0; k < 3 && strcmp(choices[k], choice) != 0; k++)
		;
	if (k == 3)
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "choice \"%s\" is "
		    "not yes, no or abstain",
		    choice);
	if ((p = gov_proposal_load(c)) == NULL)
		return -1;
	id = json_integer_value(json_object_get(p, "id"));
	if (json_integer_value(json_object_get(p, "state")) != PROPOSAL_OPEN ||
	    json_integer_value(json_object_get(p, "closes")) <= c->now) {
		json_decref(p);
		return call_fail(c, PROTO_CONFLICT, "proposal %lld is closed",
		    (long long)id);
	}
	json_decref(p);
	if (strcmp(m->standing, "suspended") == 0)
		return call_fail(c, PROTO_FORBIDDEN,
		    "%s is suspended and "
		    "cannot vote",
		    m->handle);
	if (store_voted(c->d->store, id, m->id))
		return call_fail(c, PROTO_CONFLICT,
		    "%s has already voted on "
		    "proposal %lld",
		    m->handle, (long long)id);
	if (store_vote(c->d->store, id, m->id, k, c->now) != 0 ||
	    exlog_append(c->d->log, c->now, "proposal.voted", call_actor(c),
	        json_pack("{s:I, s:s, s:s}", "proposal", id, "member",
	            m->handle, "choice", choices[k])) != 0)
		return call_store_error(c);
	c->result = json_pack("{s:o}", "proposal",
	    gov_proposal_view(store_proposal_json(c->d->store, id)));
	return 0;
}

static int
gov_page_add(void *arg, json_t *obj)
{
	struct page *p = arg;

	p->last = json_integer_value(json_object_get(obj, "id"));
	return json_array_append_new(p->items, gov_proposal_view(obj));
}

int
h_proposal_list(struct call *c)
{
	struct store_filter f;
	struct page p;

	if (call_page_begin(c, &f, &p) != 0)
		return -1;
	return call_page_end(c, "proposals", &f, &p,
	    store_proposal_list(c->d->store, &f, gov_page_add, &p));
}

int
h_proposal_show(struct call *c)
{
	json_t *p;

	if ((p = gov_proposal_load(c)) == NULL)
		return -1;
	c->result = json_pack("{s:o}", "proposal", gov_proposal_view(p));
	return 0;
}

/* Sets a member's standing, in the store, the engine and the log. */
int
gov_set_standing(struct larderd *d, const struct member *m, int level,
    int64_t noshows, time_t now)
{
	struct engine_member *em = engine_member_get(d->engine, m->id);

	if (strcmp(m->standing, standings[level]) == 0)
		return 0;
	if (store_member_set_standing(d->store, m->id, standings[level], now) !=
	    0)
		return -1;
	if (em != NULL)
		em->standing = (enum engine_standing)level;
	log_info("member %s: standing %s -> %s", m->handle, m->standing,
	    standings[level]);
	return exlog_append(d->log, now, "sanction.changed", "larderd",
	    json_pack("{s:s, s:s, s:s, s:s, s:I}", "member", m->handle, "hub",
	        m->hub, "from", m->standing, "to", standings[level], "no_shows",
	        (json_int_t)noshows));
}

/* The standing a number of no-shows in the window calls for. */
static int
gov_level(const struct engine_rules *r, int64_t n)
{
	if (n >= r->sanction_suspended)
		return 3;
	if (n >= r->sanction_restricted)
		return 2;
	return n >= r->sanction_warning ? 1 : 0;
}

static int
gov_level_of(const char *standing)
{
	int i;

	for (i = 0; i < 4; i++) {
		if (strcmp(standings[i], standing) == 0)
			return i;
	}
	return 0;
}

/*
 * Recounts a member's no-shows in the sanction window. After a new
 * no-show the member can only go down the ladder; after one is reversed
 * (recount) it goes to what the count now calls for.
 */
int
gov_recount(struct larderd *d, int64_t member, time_t now, int reversed)
{
	const struct engine_rules *r = engine_rules(d->engine);
	struct member m;
	int64_t n;
	int level, current;

	if (store_member_by_id(d->store, member, &m) != 1)
		return -1;
	n = store_noshows_since(d->store, member,
	    now - (time_t)r->sanction_window * DAY);
	if (n < 0)
		return -1;
	level = gov_level(r, n);
	current = gov_level_of(m.standing);
	if (!reversed && level <= current)
		return 0;
	return gov_set_standing(d, &m, level, n, now);
}

/*
 * Whether a passed proposal can still be carried out: 0 when it can, 1
 * with the reason in *why_not when it cannot, -1 on error.
 */
static int
gov_applicable(struct larderd *d, json_t *p, char **why_not)
{
	const char *kind = json_string_value(json_object_get(p, "kind"));
	const char *member = json_string_value(json_object_get(p, "member"));
	struct engine_rules r = *engine_rules(d->engine);
	struct member m;
	char *cause = NULL;
	int rc;

	if (strcmp(kind, "admit") == 0)
		return admit_ready(d, p, why_not);
	if (strcmp(kind, "rule") == 0) {
		if (rules_parse(json_string_value(json_object_get(p, "key")),
		        json_string_value(json_object_get(p, "value")), &r,
		        &cause) == 0)
			return 0;
		asprintf(why_not, "%s", cause);
		free(cause);
		return 1;
	}
	if ((rc = store_member_by_handle(d->store, member, &m)) < 0)
		return -1;
	return rc > 0
	    ? 0
	    : (asprintf(why_not, "there is no member \"%s\"", member), 1);
}

/* Carries out a passed proposal. */
static int
gov_apply(struct larderd *d, json_t *p, time_t now)
{
	const char *kind = json_string_value(json_object_get(p, "kind"));
	const char *key = json_string_value(json_object_get(p, "key"));
	const char *value = json_string_value(json_object_get(p, "value"));
	json_int_t id = json_integer_value(json_object_get(p, "id"));
	struct engine_rules r = *engine_rules(d->engine);
	struct member m;
	char decision[32], *cause = NULL;

	if (strcmp(kind, "admit") == 0) {
		if (admit_apply(d, p, &cause) == 0)
			return 0;
		log_warnx("proposal %lld: cannot admit: %s", (long long)id,
		    cause);
		free(cause);
		return -1;
	}
	if (strcmp(kind, "rule") != 0) {
		if (store_member_by_handle(d->store,
		        json_string_value(json_object_get(p, "member")),
		        &m) != 1)
			return 0;
		return gov_set_standing(d, &m,
		    strcmp(kind, "suspend") == 0 ? 3 : 0, 0, now);
	}
	snprintf(decision, sizeof decision, "proposal %lld", (long long)id);
	if (rules_parse(key, value, &r, &cause) != 0 ||
	    engine_set_rules(d->engine, &r, &cause) != 0) {
		log_warnx("proposal %lld: cannot apply: %s", (long long)id,
		    cause);
		free(cause);
		return 0;
	}
	log_info("rules: %s = %s by proposal %lld", key, value, (long long)id);
	return store_rule_set(d->store, key, value, now, decision) != 0 ||
	        exlog_append(d->log, now, "rule.changed", "larderd",
	            json_pack("{s:s, s:s, s:I}", "key", key, "value", value,
	                "proposal", id)) != 0
	    ? -1
	    : 0;
}

/*
 * The outcome of a proposal's votes: votes from at least quorum per
 * cent of the members who could vote, then yes above majority per cent
 * of yes and no.
 */
static int
gov_tally(const struct engine_rules *r, json_t *p)
{
	json_int_t yes = json_integer_value(json_object_get(p, "yes"));
	json_int_t no = json_integer_value(json_object_get(p, "no"));
	json_int_t abstain = json_integer_value(json_object_get(p, "abstain"));
	json_int_t members = json_integer_value(json_object_get(p, "members"));

	if ((yes + no + abstain) * 100 < (json_int_t)r->quorum * members)
		return PROPOSAL_NO_QUORUM;
	if (yes * 100 > (json_int_t)r->majority * (yes + no))
		return PROPOSAL_PASSED;
	return PROPOSAL_REJECTED;
}

/* Logs a closed proposal: its outcome and tally, and for a passed one
 * what came of it. */
static void
gov_close_logged(json_t *p, int state, const char *why_not)
{
	const char *kind = json_string_value(json_object_get(p, "kind"));
	const char *member = json_string_value(json_object_get(p, "member"));
	char then[256] = "";

	if (state == PROPOSAL_PASSED && why_not != NULL)
		snprintf(then, sizeof then, "; not applied: %s", why_not);
	else if (state == PROPOSAL_PASSED && strcmp(kind, "admit") == 0)
		snprintf(then, sizeof then,
		    "; %s admitted, with no token until a coordinator runs "
		    "larder member token rotate %s",
		    member, member);
	log_info("proposal %lld: %s (%lld yes, %lld no, %lld abstain)%s",
	    (long long)json_integer_value(json_object_get(p, "id")),
	    proposal_states[state],
	    (long long)json_integer_value(json_object_get(p, "yes")),
	    (long long)json_integer_value(json_object_get(p, "no")),
	    (long long)json_integer_value(json_object_get(p, "abstain")), then);
}

/*
 * Tallies a proposal whose time has come and carries it out if it
 * passed. A passed proposal that can no longer be carried out (its
 * handle taken meanwhile, say) is recorded as passed, with the reason.
 */
static int
gov_close(void *arg, json_t *p)
{
	struct larderd *d = arg;
	json_int_t id = json_integer_value(json_object_get(p, "id"));
	int state = gov_tally(engine_rules(d->engine), p), rc = 0;
	time_t now = server_now(d);
	char *why_not = NULL;
	json_t *ev;

	if (state == PROPOSAL_PASSED && gov_applicable(d, p, &why_not) < 0)
		rc = -1;
	ev = json_pack("{s:I, s:s, s:O, s:O, s:O, s:O}", "proposal", id,
	    "outcome", proposal_states[state], "yes", json_object_get(p, "yes"),
	    "no", json_object_get(p, "no"), "abstain",
	    json_object_get(p, "abstain"), "members",
	    json_object_get(p, "members"));
	if (ev != NULL && why_not != NULL)
		json_object_set_new(ev, "not_applied", json_string(why_not));
	if (rc == 0 &&
	    store_proposal_close(d->store, id, state, now, why_not) != 0)
		rc = -1;
	if (rc == 0) /* the log takes ev */
		rc =
		    exlog_append(d->log, now, "proposal.closed", "larderd", ev);
	else
		json_decref(ev);
	if (rc == 0 && state == PROPOSAL_PASSED && why_not == NULL)
		rc = gov_apply(d, p, now);
	if (rc == 0)
		gov_close_logged(p, state, why_not);
	free(why_not);
	json_decref(p);
	return rc;
}

/* Steps a member back up a level once its record has been clean. */
static int
gov_climb(void *arg, json_t *row)
{
	struct larderd *d = arg;
	const struct engine_rules *r = engine_rules(d->engine);
	const char *standing =
	    json_string_value(json_object_get(row, "standing"));
	time_t since =
	    (time_t)json_integer_value(json_object_get(row, "since"));
	int64_t id = json_integer_value(json_object_get(row, "id"));
	int restricted = strcmp(standing, "restricted") == 0, rc = 0;
	time_t now = server_now(d);
	struct member m;

	if (now - since >= (time_t)(restricted ? r->sanction_restrict_days
	                                       : r->sanction_clean_days) *
	            DAY &&
	    store_noshows_since(d->store, id, since) == 0 &&
	    store_member_by_id(d->store, id, &m) == 1)
		rc = gov_set_standing(d, &m, restricted ? 1 : 0, 0, now);
	json_decref(row);
	return rc;
}

static int
gov_take(void *arg, json_t *obj)
{
	return json_array_append_new(arg, obj);
}

/* What time does to governance: proposals close, sanctions lapse. */
int
gov_due(struct larderd *d, time_t now)
{
	json_t *due = json_array(), *row;
	size_t i;
	int rc = 0;

	/* Collect first: closing a proposal writes to the same table. */
	if (store_proposal_due(d->store, now, gov_take, due) != 0)
		rc = -1;
	json_array_foreach(due, i, row)
	{
		if (rc == 0)
			rc = gov_close(d, json_incref(row));
	}
	json_array_clear(due);
	if (rc == 0 && store_standings_due(d->store, gov_take, due) != 0)
		rc = -1;
	json_array_foreach(due, i, row)
	{
		if (rc == 0)
			rc = gov_climb(d, json_incref(row));
	}
	json_decref(due);
	return rc;
}

int
h_refer(struct call *c)
{
	const char *raw = proto_arg_str(c->req, "district");
	json_t *found = json_array(), *handles = json_array(), *m;
	char district[8];
	size_t i;

	if (!valid_district(raw, district, sizeof district)) {
		json_decref(found);
		json_decref(handles);
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "\"%s\" is not a "
		    "postcode district (e.g. RM9)",
		    raw);
	}
	if (store_members_covering(c->d->store, district, gov_take, found) !=
	    0) {
		json_decref(found);
		json_decref(handles);
		return call_store_error(c);
	}
	json_array_foreach(found, i, m)
	    json_array_append(handles, json_object_get(m, "handle"));
	if (exlog_append(c->d->log, c->now, "referral.made", call_actor(c),
	        json_pack("{s:s, s:s, s:o}", "member", call_actor(c),
	            "district", district, "referred", handles)) != 0) {
		json_decref(found);
		return call_store_error(c);
	}
	c->result =
	    json_pack("{s:s, s:o}", "district", district, "members", found);
	return 0;
}

static const char *const challenge_states[] = {"open", "resolved",
    "unresolved"};

/* Turns a stored challenge into its record as members see it. */
static json_t *
gov_challenge_view(json_t *ch)
{
	json_int_t state = json_integer_value(json_object_get(ch, "state"));
	json_int_t closed = json_integer_value(json_object_get(ch, "closed"));

	if (ch == NULL)
		return NULL;
	json_object_set_new(ch, "state",
	    json_string(challenge_states[state >= 0 && state < 3 ? state : 0]));
	json_object_set_new(ch, "opened",
	    proto_time_json(
	        (time_t)json_integer_value(json_object_get(ch, "opened"))));
	json_object_set_new(ch, "closed",
	    closed > 0 ? proto_time_json((time_t)closed) : json_null());
	return ch;
}

/* Checks that a challenge exists and is open, for an offer to join it. */
int
gov_challenge_check(struct call *c, json_int_t id)
{
	json_t *ch = store_challenge_json(c->d->store, id);
	json_int_t state = json_integer_value(json_object_get(ch, "state"));

	json_decref(ch);
	if (ch == NULL)
		return call_fail(c, PROTO_NOT_FOUND, "no challenge %lld",
		    (long long)id);
	if (state != 0)
		return call_fail(c, PROTO_CONFLICT, "challenge %lld is closed",
		    (long long)id);
	return 0;
}

int
h_challenge_open(struct call *c)
{
	const char *title = proto_arg_str(c->req, "title");
	int64_t id;

	if (!valid_text(title))
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "title has control characters");
	id = store_challenge_insert(c->d->store, title, call_actor(c), c->now);
	if (id < 0 ||
	    exlog_append(c->d->log, c->now, "challenge.opened", call_actor(c),
	        json_pack("{s:I, s:s}", "challenge", (json_int_t)id, "title",
	            title)) != 0)
		return call_store_error(c);
	c->result = json_pack("{s:o}", "challenge",
	    gov_challenge_view(store_challenge_json(c->d->store, id)));
	return 0;
}

int
h_challenge_close(struct call *c)
{
	json_int_t id = proto_arg_int(c->req, "challenge", 0);
	int resolved = proto_arg_bool(c->req, "resolved", 0);

	if (gov_challenge_check(c, id) != 0)
		return -1;
	if (store_challenge_close(c->d->store, id, resolved ? 1 : 2, c->now) !=
	        0 ||
	    exlog_append(c->d->log, c->now, "challenge.closed", call_actor(c),
	        json_pack("{s:I, s:b}", "challenge", id, "resolved",
	            resolved)) != 0)
		return call_store_error(c);
	c->result = json_pack("{s:o}", "challenge",
	    gov_challenge_view(store_challenge_json(c->d->store, id)));
	return 0;
}

static int
gov_challenge_add(void *arg, json_t *obj)
{
	struct page *p = arg;

	p->last = json_integer_value(json_object_get(obj, "id"));
	return json_array_append_new(p->items, gov_challenge_view(obj));
}

int
h_challenge_list(struct call *c)
{
	struct store_filter f;
	struct page p;

	if (call_page_begin(c, &f, &p) != 0)
		return -1;
	return call_page_end(c, "challenges", &f, &p,
	    store_challenge_list(c->d->store, &f, gov_challenge_add, &p));
}
