/* h_member.c: the member registry: who may take part in the exchange. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "larderd.h"
#include "log.h"
#include "token.h"
#include "valid.h"

#define MEMBER_MAX_PEOPLE 1000000

/* Builds a member's public record: never its token. */
json_t *
member_json(const struct member *m)
{
	char storage[64];

	return json_pack("{s:s, s:s, s:s, s:I, s:o, s:o, s:b, s:s, s:o}",
	    "handle", m->handle, "name", m->name, "hub", m->hub, "people",
	    (json_int_t)m->people, "storage",
	    valid_split(storage_format(m->storage, storage, sizeof storage)),
	    "catchment", valid_split(m->catchment), "coordinator",
	    m->coordinator, "standing", m->standing, "joined",
	    proto_time_json(m->joined));
}

/*
 * Registers a member and logs it (with the proposal that admitted it,
 * when one did), writing its new token (TOKEN_LEN + 1 bytes) to token.
 * A taken handle fails.
 */
static int
member_insert(struct larderd *d, struct member *m, const char *actor,
    int64_t proposal, char *token, char **cause)
{
	unsigned char hash[DIGEST_LEN];
	struct member old;
	json_t *ev;
	int rc;

	rc = store_member_by_handle(d->store, m->handle, &old);
	if (rc < 0)
		return asprintf(cause, "store: %s", store_errmsg(d->store)), -1;
	if (rc > 0)
		return asprintf(cause, "a member \"%s\" already exists",
		           m->handle),
		       -1;
	snprintf(m->standing, sizeof m->standing, "good");
	m->joined = server_now(d);
	if (token_new(token, hash) != 0 ||
	    store_member_insert(d->store, m, hash) != 0)
		return asprintf(cause, "cannot add the member: %s",
		           store_errmsg(d->store)),
		       -1;
	ev = member_json(m);
	json_object_del(ev, "joined");
	json_object_del(ev, "standing");
	json_object_set_new(ev, "member", json_string(m->handle));
	json_object_del(ev, "handle");
	if (proposal > 0)
		json_object_set_new(ev, "proposal", json_integer(proposal));
	if (exlog_append(d->log, m->joined, "member.joined", actor, ev) != 0)
		return asprintf(cause, "cannot log the new member: %s",
		           store_errmsg(d->store)),
		       -1;
	if (market_member(d, m) != 0)
		return asprintf(cause, "out of memory"), -1;
	log_info("member %s: joined hub %s", m->handle, m->hub);
	return 0;
}

/*
 * Registers a member, logs it, and writes its new token (TOKEN_LEN + 1
 * bytes) for the caller to show once. A taken handle fails.
 */
int
member_create(struct larderd *d, struct member *m, const char *actor,
    char *token, char **cause)
{
	return member_insert(d, m, actor, 0, token, cause);
}

/*
 * Registers a member that a proposal admitted. Nobody is there to be
 * given a token, so its token is thrown away unseen: the member has no
 * working token until a coordinator rotates it.
 */
int
member_create_by_vote(struct larderd *d, struct member *m, int64_t proposal,
    char **cause)
{
	char token[TOKEN_LEN + 1];
	int rc;

	rc = member_insert(d, m, "larderd", proposal, token, cause);
	explicit_bzero(token, sizeof token);
	return rc;
}

/* Reads the storage list into a mask; every word must be known. */
static int
member_parse_storage(json_t *list, struct member *m, char **cause)
{
	json_t *item;
	size_t i;
	unsigned bit;

	m->storage = 0;
	json_array_foreach(list, i, item)
	{
		if (storage_parse(json_string_value(item), &bit) != 0)
			return asprintf(cause,
			           "storage \"%s\" is not ambient, chilled or "
			           "frozen",
			           json_string_value(item)),
			       -1;
		m->storage |= bit;
	}
	if (m->storage == 0)
		return asprintf(cause,
		           "storage names at least one of ambient, "
		           "chilled, frozen"),
		       -1;
	return 0;
}

/* Reads catchment districts, upper-cased and comma-joined. */
static int
member_parse_catchment(json_t *list, struct member *m, char **cause)
{
	json_t *item, *norm;
	size_t i;
	char district[8];
	int rc;

	if (list == NULL)
		return 0;
	norm = json_array();
	json_array_foreach(list, i, item)
	{
		if (!valid_district(json_string_value(item), district,
		        sizeof district)) {
			json_decref(norm);
			return asprintf(cause,
			           "catchment \"%s\" is not a postcode "
			           "district (e.g. IG11)",
			           json_string_value(item)),
			       -1;
		}
		json_array_append_new(norm, json_string(district));
	}
	rc = valid_join(norm, m->catchment, sizeof m->catchment);
	json_decref(norm);
	return rc == 0 ? 0 : (asprintf(cause, "catchment is too long"), -1);
}

/*
 * Reads a new member's details from a JSON object (a request's
 * arguments, or the details an admit proposal keeps) and checks them:
 * the handle under handle_key, then name, hub, people, storage and
 * catchment. Protocol decoding has checked their types; an absent one
 * is refused here, by name.
 */
int
member_parse(struct larderd *d, json_t *obj, const char *handle_key,
    struct member *m, char **cause)
{
	const char *handle =
	    json_string_value(json_object_get(obj, handle_key));
	const char *name = json_string_value(json_object_get(obj, "name"));
	const char *hub = json_string_value(json_object_get(obj, "hub"));
	json_int_t n = json_integer_value(json_object_get(obj, "people"));
	static const char *const needed[] = {"name", "hub", "people", "storage",
	    NULL};
	size_t i;

	memset(m, 0, sizeof *m);
	if (handle == NULL || !valid_word(handle))
		return asprintf(cause,
		           "handle \"%s\" must be 1-32 of a-z, 0-9, _ and -",
		           handle != NULL ? handle : ""),
		       -1;
	for (i = 0; needed[i] != NULL; i++) {
		if (json_object_get(obj, needed[i]) == NULL)
			return asprintf(cause, "a new member needs \"%s\"",
			           needed[i]),
			       -1;
	}
	if (!valid_text(name))
		return asprintf(cause, "name has control characters"), -1;
	if (!valid_word(hub) || !config_has_hub(d->conf, hub))
		return asprintf(cause,
		           "hub \"%s\" is not one of this network's hubs", hub),
		       -1;
	if (n < 0 || n > MEMBER_MAX_PEOPLE)
		return asprintf(cause, "people must be from 0 to %d",
		           MEMBER_MAX_PEOPLE),
		       -1;
	proto_copy(m->handle, sizeof m->handle, handle);
	proto_copy(m->name, sizeof m->name, name);
	proto_copy(m->hub, sizeof m->hub, hub);
	m->people = n;
	if (member_parse_storage(json_object_get(obj, "storage"), m, cause) !=
	    0)
		return -1;
	return member_parse_catchment(json_object_get(obj, "catchment"), m,
	    cause);
}

int
h_member_add(struct call *c)
{
	struct member m;
	char token[TOKEN_LEN + 1];
	char *cause = NULL;

	if (member_parse(c->d, c->req->root, "handle", &m, &cause) != 0) {
		call_fail(c, PROTO_INVALID_ARGUMENT, "%s", cause);
		free(cause);
		return -1;
	}
	m.coordinator = proto_arg_bool(c->req, "coordinator", 0);
	if (member_create(c->d, &m, call_actor(c), token, &cause) != 0) {
		call_fail(c,
		    strstr(cause, "already") != NULL ? PROTO_CONFLICT
		                                     : PROTO_UNAVAILABLE,
		    "%s", cause);
		free(cause);
		return -1;
	}
	c->result =
	    json_pack("{s:o, s:s}", "member", member_json(&m), "token", token);
	explicit_bzero(token, sizeof token);
	return 0;
}

static int
h_member_page_add(void *arg, const struct member *m)
{
	struct page *p = arg;

	p->last = m->id;
	return json_array_append_new(p->items, member_json(m));
}

int
h_member_list(struct call *c)
{
	struct store_filter f;
	struct page p;

	if (call_page_begin(c, &f, &p) != 0)
		return -1;
	return call_page_end(c, "members", &f, &p,
	    store_member_list(c->d->store, &f, h_member_page_add, &p));
}

/*
 * Rotates a member's token (a new one, shown once in the reply) or
 * revokes it (a hash no token has, so nobody can act as the member until
 * a coordinator rotates it again). A member may do either to its own
 * token; a coordinator or the administrator to anyone's. Sessions that
 * signed in with the old token are closed; the change is logged.
 */
int
h_member_token(struct call *c)
{
	const struct member *me = session_member(c->s);
	const char *handle = proto_arg_str(c->req, "handle");
	const char *action = proto_arg_str(c->req, "action");
	unsigned char hash[DIGEST_LEN];
	char token[TOKEN_LEN + 1];
	struct member m;
	int rc, rotate;

	if (strcmp(action, "rotate") != 0 && strcmp(action, "revoke") != 0)
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "action \"%s\" is not rotate or revoke", action);
	rotate = action[1] == 'o';
	rc = store_member_by_handle(c->d->store, handle, &m);
	if (rc < 0)
		return call_store_error(c);
	if (rc == 0)
		return call_fail(c, PROTO_NOT_FOUND, "no member \"%s\"",
		    handle);
	if (!session_is_admin(c->s) && !me->coordinator && me->id != m.id)
		return call_fail(c, PROTO_FORBIDDEN,
		    "only %s or a coordinator may change %s's token", handle,
		    handle);
	if (token_new(token, hash) != 0 ||
	    store_member_set_token(c->d->store, m.id, hash) != 0) {
		explicit_bzero(token, sizeof token);
		return call_store_error(c);
	}
	if (exlog_append(c->d->log, c->now, "member.token", call_actor(c),
	        json_pack("{s:s, s:s}", "member", m.handle, "action",
	            rotate ? "rotated" : "revoked")) != 0) {
		explicit_bzero(token, sizeof token);
		return call_store_error(c);
	}
	session_drop_member(c->d, m.id, c->s,
	    rotate ? "this member's token was rotated"
	           : "this member's token was revoked");
	log_info("member %s: token %s by %s", m.handle,
	    rotate ? "rotated" : "revoked", call_actor(c));
	c->result = json_pack("{s:s, s:s}", "member", m.handle, "action",
	    rotate ? "rotated" : "revoked");
	if (rotate)
		json_object_set_new(c->result, "token", json_string(token));
	explicit_bzero(token, sizeof token);
	return 0;
}

int
h_member_show(struct call *c)
{
	const char *handle = proto_arg_str(c->req, "handle");
	struct member m;
	int rc;

	rc = store_member_by_handle(c->d->store, handle, &m);
	if (rc < 0)
		return call_store_error(c);
	if (rc == 0)
		return call_fail(c, PROTO_NOT_FOUND, "no member \"%s\"",
		    handle);
	c->result = json_pack("{s:o}", "member", member_json(&m));
	return 0;
}
