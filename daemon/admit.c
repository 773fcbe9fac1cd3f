/*
 * admit.c: admitting a member organisation by proposal and vote. Its
 * details are checked as member.add checks them when the proposal opens,
 * kept with the proposal, and checked again when a passing vote closes
 * it, since a coordinator may have taken the handle in the meantime.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "larderd.h"

/* Refuses a handle a member has, or an open admit proposal names. */
static int
admit_free_handle(struct call *c, const char *handle)
{
	struct member old;
	int64_t other;
	int rc;

	if ((rc = store_member_by_handle(c->d->store, handle, &old)) < 0)
		return call_store_error(c);
	if (rc > 0)
		return call_fail(c, PROTO_CONFLICT,
		    "handle \"%s\" is taken: a member \"%s\" already exists",
		    handle, handle);
	if ((rc = store_proposal_admitting(c->d->store, handle, &other)) < 0)
		return call_store_error(c);
	if (rc > 0)
		return call_fail(c, PROTO_CONFLICT,
		    "handle \"%s\" is taken: proposal %lld already proposes "
		    "admitting \"%s\"",
		    handle, (long long)other, handle);
	return 0;
}

/*
 * Checks the member an admit proposal would create, from the request's
 * member (its handle), name, hub, people, storage and catchment, and
 * writes the details to keep with the proposal (a new reference).
 */
int
admit_check(struct call *c, json_t **details)
{
	struct member m;
	char *cause = NULL;

	*details = NULL;
	if (proto_arg_str(c->req, "member") == NULL)
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "an admit proposal needs \"member\", the new member's "
		    "handle");
	if (member_parse(c->d, c->req->root, "member", &m, &cause) != 0) {
		call_fail(c, PROTO_INVALID_ARGUMENT, "%s", cause);
		free(cause);
		return -1;
	}
	if (admit_free_handle(c, m.handle) != 0)
		return -1;
	/* Kept as a member record would show them, less what joining sets. */
	*details = member_json(&m);
	json_object_del(*details, "handle");
	json_object_del(*details, "coordinator");
	json_object_del(*details, "standing");
	json_object_del(*details, "joined");
	return 0;
}

/*
 * Reads the member a passed admit proposal creates into m. Returns 0
 * when it can be created, 1 with the reason in *why_not when it cannot
 * (the handle was taken meanwhile, or a hub was dropped), -1 on error.
 */
static int
admit_member(struct larderd *d, json_t *p, struct member *m, char **why_not)
{
	json_t *obj = json_deep_copy(json_object_get(p, "admit"));
	struct member old;
	char *cause = NULL;
	int rc;

	if (!json_is_object(obj)) {
		json_decref(obj);
		return asprintf(why_not, "it holds no member's details"), 1;
	}
	json_object_set(obj, "handle", json_object_get(p, "member"));
	rc = member_parse(d, obj, "handle", m, &cause);
	json_decref(obj);
	if (rc != 0) {
		asprintf(why_not, "the details no longer pass: %s", cause);
		free(cause);
		return 1;
	}
	if ((rc = store_member_by_handle(d->store, m->handle, &old)) < 0)
		return -1;
	if (rc > 0)
		return asprintf(why_not,
		           "handle \"%s\" was taken before the vote closed",
		           m->handle),
		       1;
	return 0;
}

/* Whether a passed admit proposal can be carried out; as admit_member. */
int
admit_ready(struct larderd *d, json_t *p, char **why_not)
{
	struct member m;

	return admit_member(d, p, &m, why_not);
}

/* Creates the member a passed admit proposal admits, with no token. */
int
admit_apply(struct larderd *d, json_t *p, char **cause)
{
	json_int_t id = json_integer_value(json_object_get(p, "id"));
	struct member m;
	int rc;

	rc = admit_member(d, p, &m, cause);
	if (rc < 0)
		return asprintf(cause, "store: %s", store_errmsg(d->store)), -1;
	if (rc > 0)
		return -1;
	return member_create_by_vote(d, &m, id, cause);
}
