/* ops.c: every operation of protocol v1 and the arguments it takes. */
#include <string.h>

#include "proto.h"

#define STR(n, req, max)                                                       \
	{                                                                      \
		n, PROTO_T_STRING, req, max                                    \
	}
#define INT(n, req)                                                            \
	{                                                                      \
		n, PROTO_T_INT, req, 0                                         \
	}
#define BOOL(n)                                                                \
	{                                                                      \
		n, PROTO_T_BOOL, 0, 0                                          \
	}
#define LIST(n, req, max)                                                      \
	{                                                                      \
		n, PROTO_T_LIST, req, max                                      \
	}
#define TIME(n, req)                                                           \
	{                                                                      \
		n, PROTO_T_TIME, req, 0                                        \
	}
#define END                                                                    \
	{                                                                      \
		NULL, 0, 0, 0                                                  \
	}

#define NOTE_MAX   280
#define HANDLE_MAX 32

static const struct proto_field hello_fields[] = {STR("token", 0, 128),
    STR("as", 0, HANDLE_MAX), STR("client", 0, 64), END};

static const struct proto_field none_fields[] = {END};

static const struct proto_field member_add_fields[] = {
    STR("handle", 1, HANDLE_MAX), STR("name", 1, 100),
    STR("hub", 1, HANDLE_MAX), INT("people", 1), LIST("storage", 1, 3),
    LIST("catchment", 0, 64), BOOL("coordinator"), END};

static const struct proto_field handle_fields[] = {STR("handle", 1, HANDLE_MAX),
    END};

static const struct proto_field offer_fields[] = {INT("offer", 1), END};

static const struct proto_field request_fields[] = {INT("request", 1), END};

static const struct proto_field page_fields[] = {INT("after", 0),
    INT("limit", 0), END};

static const struct proto_field offer_post_fields[] = {
    STR("category", 1, HANDLE_MAX), INT("grams", 1), STR("storage", 0, 16),
    TIME("use_by", 0), TIME("best_before", 0), TIME("window_start", 0),
    TIME("window_end", 0), INT("min_portion", 0), BOOL("divisible"),
    STR("note", 0, NOTE_MAX), END};

static const struct proto_field list_fields[] = {BOOL("mine"), BOOL("open"),
    INT("after", 0), INT("limit", 0), END};

static const struct proto_field request_post_fields[] = {
    LIST("categories", 1, 16), INT("grams", 1), TIME("by", 1),
    LIST("storage", 0, 3), BOOL("standing"), STR("note", 0, NOTE_MAX), END};

static const struct proto_field export_fields[] = {INT("since", 0),
    INT("limit", 0), END};

static const struct proto_op ops[] = {
    {"hello", hello_fields},
    {"status", none_fields},
    {"member.add", member_add_fields},
    {"member.list", page_fields},
    {"member.show", handle_fields},
    {"offer.post", offer_post_fields},
    {"offer.list", list_fields},
    {"offer.show", offer_fields},
    {"offer.withdraw", offer_fields},
    {"request.post", request_post_fields},
    {"request.list", list_fields},
    {"request.show", request_fields},
    {"request.cancel", request_fields},
    {"log.verify", none_fields},
    {"log.export", export_fields},
};

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
