/* ops.c: every operation of protocol v1 and the arguments it takes. */
#include <string.h>

#include "proto.h"

#define NOTE_MAX   280
#define HANDLE_MAX 32

/* One argument a line reads best as a table: */
/* clang-format off */
static const struct proto_field hello_fields[] = {
	{ "token", PROTO_T_STRING, 0, 128 },
	{ "as", PROTO_T_STRING, 0, HANDLE_MAX },
	{ "client", PROTO_T_STRING, 0, 64 },
	{ NULL, 0, 0, 0 },
};

static const struct proto_field none_fields[] = {
	{ NULL, 0, 0, 0 },
};

static const struct proto_field member_add_fields[] = {
	{ "handle", PROTO_T_STRING, 1, HANDLE_MAX },
	{ "name", PROTO_T_STRING, 1, 100 },
	{ "hub", PROTO_T_STRING, 1, HANDLE_MAX },
	{ "people", PROTO_T_INT, 1, 0 },
	{ "storage", PROTO_T_LIST, 1, 3 },
	{ "catchment", PROTO_T_LIST, 0, 64 },
	{ "coordinator", PROTO_T_BOOL, 0, 0 },
	{ NULL, 0, 0, 0 },
};

static const struct proto_field handle_fields[] = {
	{ "handle", PROTO_T_STRING, 1, HANDLE_MAX },
	{ NULL, 0, 0, 0 },
};

static const struct proto_field member_token_fields[] = {
	{ "handle", PROTO_T_STRING, 1, HANDLE_MAX },
	{ "action", PROTO_T_STRING, 1, 16 },
	{ NULL, 0, 0, 0 },
};

static const struct proto_field offer_fields[] = {
	{ "offer", PROTO_T_INT, 1, 0 },
	{ NULL, 0, 0, 0 },
};

static const struct proto_field request_fields[] = {
	{ "request", PROTO_T_INT, 1, 0 },
	{ NULL, 0, 0, 0 },
};

static const struct proto_field page_fields[] = {
	{ "after", PROTO_T_INT, 0, 0 },
	{ "limit", PROTO_T_INT, 0, 0 },
	{ NULL, 0, 0, 0 },
};

static const struct proto_field offer_post_fields[] = {
	{ "category", PROTO_T_STRING, 1, HANDLE_MAX },
	{ "grams", PROTO_T_INT, 1, 0 },
	{ "storage", PROTO_T_STRING, 0, 16 },
	{ "use_by", PROTO_T_TIME, 0, 0 },
	{ "best_before", PROTO_T_TIME, 0, 0 },
	{ "window_start", PROTO_T_TIME, 0, 0 },
	{ "window_end", PROTO_T_TIME, 0, 0 },
	{ "min_portion", PROTO_T_INT, 0, 0 },
	{ "divisible", PROTO_T_BOOL, 0, 0 },
	{ "note", PROTO_T_STRING, 0, NOTE_MAX },
	{ "fallback", PROTO_T_STRING, 0, HANDLE_MAX },
	{ "challenge", PROTO_T_INT, 0, 0 },
	{ NULL, 0, 0, 0 },
};

static const struct proto_field list_fields[] = {
	{ "mine", PROTO_T_BOOL, 0, 0 },
	{ "open", PROTO_T_BOOL, 0, 0 },
	{ "after", PROTO_T_INT, 0, 0 },
	{ "limit", PROTO_T_INT, 0, 0 },
	{ NULL, 0, 0, 0 },
};

static const struct proto_field request_post_fields[] = {
	{ "categories", PROTO_T_LIST, 1, 16 },
	{ "grams", PROTO_T_INT, 1, 0 },
	{ "by", PROTO_T_TIME, 1, 0 },
	{ "storage", PROTO_T_LIST, 0, 3 },
	{ "standing", PROTO_T_BOOL, 0, 0 },
	{ "note", PROTO_T_STRING, 0, NOTE_MAX },
	{ "challenge", PROTO_T_INT, 0, 0 },
	{ NULL, 0, 0, 0 },
};

static const struct proto_field export_fields[] = {
	{ "since", PROTO_T_INT, 0, 0 },
	{ "limit", PROTO_T_INT, 0, 0 },
	{ NULL, 0, 0, 0 },
};

static const struct proto_field claim_fields[] = {
	{ "offer", PROTO_T_INT, 1, 0 },
	{ "grams", PROTO_T_INT, 0, 0 },
	{ "challenge", PROTO_T_INT, 0, 0 },
	{ NULL, 0, 0, 0 },
};

static const struct proto_field match_fields[] = {
	{ "match", PROTO_T_INT, 1, 0 },
	{ NULL, 0, 0, 0 },
};

static const struct proto_field match_list_fields[] = {
	{ "all", PROTO_T_BOOL, 0, 0 },
	{ "open", PROTO_T_BOOL, 0, 0 },
	{ "after", PROTO_T_INT, 0, 0 },
	{ "limit", PROTO_T_INT, 0, 0 },
	{ NULL, 0, 0, 0 },
};

static const struct proto_field match_decline_fields[] = {
	{ "match", PROTO_T_INT, 1, 0 },
	{ "reason", PROTO_T_STRING, 0, NOTE_MAX },
	{ NULL, 0, 0, 0 },
};

static const struct proto_field match_collected_fields[] = {
	{ "match", PROTO_T_INT, 1, 0 },
	{ "grams", PROTO_T_INT, 1, 0 },
	{ NULL, 0, 0, 0 },
};

static const struct proto_field waste_fields[] = {
	{ "offer", PROTO_T_INT, 0, 0 },
	{ "grams", PROTO_T_INT, 0, 0 },
	{ "destination", PROTO_T_STRING, 1, HANDLE_MAX },
	{ "cause", PROTO_T_STRING, 1, HANDLE_MAX },
	{ "note", PROTO_T_STRING, 0, NOTE_MAX },
	{ NULL, 0, 0, 0 },
};

static const struct proto_field fed_fields[] = {
	{ "people", PROTO_T_INT, 1, 0 },
	{ "week", PROTO_T_TIME, 0, 0 },
	{ NULL, 0, 0, 0 },
};

static const struct proto_field watch_fields[] = {
	{ "hub", PROTO_T_STRING, 0, HANDLE_MAX },
	{ NULL, 0, 0, 0 },
};

static const struct proto_field clock_advance_fields[] = {
	{ "seconds", PROTO_T_INT, 1, 0 },
	{ NULL, 0, 0, 0 },
};

static const struct proto_field clock_set_fields[] = {
	{ "time", PROTO_T_TIME, 1, 0 },
	{ NULL, 0, 0, 0 },
};

static const struct proto_field report_fields[] = {
	{ "month", PROTO_T_STRING, 0, 7 },
	{ "from", PROTO_T_TIME, 0, 0 },
	{ "to", PROTO_T_TIME, 0, 0 },
	{ "hub", PROTO_T_STRING, 0, HANDLE_MAX },
	{ NULL, 0, 0, 0 },
};

static const struct proto_field proposal_open_fields[] = {
	{ "kind", PROTO_T_STRING, 1, 16 },
	{ "key", PROTO_T_STRING, 0, HANDLE_MAX },
	{ "value", PROTO_T_STRING, 0, 64 },
	{ "member", PROTO_T_STRING, 0, HANDLE_MAX },
	{ "why", PROTO_T_STRING, 1, NOTE_MAX },
	{ "closes", PROTO_T_TIME, 0, 0 },
	/* A new member's details, for kind admit: as member.add's. */
	{ "name", PROTO_T_STRING, 0, 100 },
	{ "hub", PROTO_T_STRING, 0, HANDLE_MAX },
	{ "people", PROTO_T_INT, 0, 0 },
	{ "storage", PROTO_T_LIST, 0, 3 },
	{ "catchment", PROTO_T_LIST, 0, 64 },
	{ NULL, 0, 0, 0 },
};

static const struct proto_field proposal_fields[] = {
	{ "proposal", PROTO_T_INT, 1, 0 },
	{ NULL, 0, 0, 0 },
};

static const struct proto_field vote_fields[] = {
	{ "proposal", PROTO_T_INT, 1, 0 },
	{ "choice", PROTO_T_STRING, 1, 16 },
	{ NULL, 0, 0, 0 },
};

static const struct proto_field open_page_fields[] = {
	{ "open", PROTO_T_BOOL, 0, 0 },
	{ "after", PROTO_T_INT, 0, 0 },
	{ "limit", PROTO_T_INT, 0, 0 },
	{ NULL, 0, 0, 0 },
};

static const struct proto_field dispute_raise_fields[] = {
	{ "match", PROTO_T_INT, 1, 0 },
	{ "reason", PROTO_T_STRING, 1, 16 },
	{ "grams", PROTO_T_INT, 0, 0 },
	{ "note", PROTO_T_STRING, 0, NOTE_MAX },
	{ NULL, 0, 0, 0 },
};

static const struct proto_field dispute_fields[] = {
	{ "dispute", PROTO_T_INT, 1, 0 },
	{ NULL, 0, 0, 0 },
};

static const struct proto_field dispute_resolve_fields[] = {
	{ "dispute", PROTO_T_INT, 1, 0 },
	{ "outcome", PROTO_T_STRING, 1, 16 },
	{ "grams", PROTO_T_INT, 0, 0 },
	{ NULL, 0, 0, 0 },
};

static const struct proto_field refer_fields[] = {
	{ "district", PROTO_T_STRING, 1, 8 },
	{ NULL, 0, 0, 0 },
};

static const struct proto_field challenge_open_fields[] = {
	{ "title", PROTO_T_STRING, 1, 100 },
	{ NULL, 0, 0, 0 },
};

static const struct proto_field challenge_close_fields[] = {
	{ "challenge", PROTO_T_INT, 1, 0 },
	{ "resolved", PROTO_T_BOOL, 1, 0 },
	{ NULL, 0, 0, 0 },
};

static const struct proto_op ops[] = {
	{ "hello", hello_fields },
	{ "status", none_fields },
	{ "member.add", member_add_fields },
	{ "member.list", page_fields },
	{ "member.show", handle_fields },
	{ "member.token", member_token_fields },
	{ "offer.post", offer_post_fields },
	{ "offer.list", list_fields },
	{ "offer.show", offer_fields },
	{ "offer.withdraw", offer_fields },
	{ "offer.claim", claim_fields },
	{ "request.post", request_post_fields },
	{ "request.list", list_fields },
	{ "request.show", request_fields },
	{ "request.cancel", request_fields },
	{ "match.list", match_list_fields },
	{ "match.show", match_fields },
	{ "match.accept", match_fields },
	{ "match.decline", match_decline_fields },
	{ "match.collected", match_collected_fields },
	{ "match.noshow", match_fields },
	{ "match.explain", match_fields },
	{ "waste.record", waste_fields },
	{ "fed.report", fed_fields },
	{ "watch", watch_fields },
	{ "clock.advance", clock_advance_fields },
	{ "clock.set", clock_set_fields },
	{ "log.verify", none_fields },
	{ "log.export", export_fields },
	{ "report", report_fields },
	{ "rules.show", none_fields },
	{ "proposal.open", proposal_open_fields },
	{ "proposal.vote", vote_fields },
	{ "proposal.list", open_page_fields },
	{ "proposal.show", proposal_fields },
	{ "dispute.raise", dispute_raise_fields },
	{ "dispute.accept", dispute_fields },
	{ "dispute.reject", dispute_fields },
	{ "dispute.resolve", dispute_resolve_fields },
	{ "dispute.list", open_page_fields },
	{ "refer", refer_fields },
	{ "challenge.open", challenge_open_fields },
	{ "challenge.close", challenge_close_fields },
	{ "challenge.list", open_page_fields },
};
/* clang-format on */

/* Looks an operation up by name; NULL when protocol v1 has none. */
const struct proto_op *
proto_op_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		if (strcmp(ops[i].name, name) == 0)
			return &ops[i];
	}
	return NULL;
}

/* Returns the i-th operation, NULL past the last; for tables and tests. */
const struct proto_op *
proto_op_at(size_t i)
{
	if (i >= sizeof ops / sizeof ops[0])
		return NULL;
	return &ops[i];
}
