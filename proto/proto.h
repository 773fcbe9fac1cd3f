/* proto.h: Larder's wire protocol, shared by larderd and larder. */
#ifndef LARDER_PROTO_H
#define LARDER_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

struct evbuffer;

#define PROTO_VERSION       1
#define PROTO_VERSION_TEXT  "1"     /* the same, to build reply lines */
#define PROTO_MAX_LINE      65536   /* bytes in one line, newline included */
#define PROTO_MAX_LINE_TEXT "65535" /* the most before the newline */
#define PROTO_MAX_KEY       64      /* bytes of a request's retry key */
#define PROTO_MAX_ID        ((json_int_t)1 << 53)
#define PROTO_DEFAULT_DEPTH 16 /* levels of nesting a request may have */

/* The closed set of error codes; PROTOCOL.md says when each is used. */
enum proto_error {
	PROTO_OK = 0,
	PROTO_BAD_JSON,
	PROTO_TOO_LARGE,
	PROTO_BAD_VERSION,
	PROTO_UNKNOWN_OP,
	PROTO_INVALID_ARGUMENT,
	PROTO_UNAUTHENTICATED,
	PROTO_FORBIDDEN,
	PROTO_NOT_FOUND,
	PROTO_CONFLICT,
	PROTO_RATE_LIMITED,
	PROTO_UNAVAILABLE,
	PROTO_INTERNAL,
	PROTO_NERRORS
};

/* What one request argument may hold. */
enum proto_type {
	PROTO_T_STRING,
	PROTO_T_INT,
	PROTO_T_BOOL,
	PROTO_T_LIST, /* array of strings */
	PROTO_T_TIME, /* RFC 3339 string */
};

struct proto_field {
	const char *name;
	enum proto_type type;
	int required;
	size_t max; /* bytes of a string, items of a list */
};

/* One operation: its name and the arguments it takes. */
struct proto_op {
	const char *name;
	const struct proto_field *fields;
};

/* A decoded, validated request. args is the whole request object. */
struct proto_request {
	json_t *root;
	json_t *id; /* borrowed from root; JSON null if absent */
	const struct proto_op *op;
};

/* What decoding a line found wrong; close asks to end the session. */
struct proto_fault {
	enum proto_error code;
	char *message;
	int close;
};

const char *proto_error_name(enum proto_error);
int proto_error_from_name(const char *);

const struct proto_op *proto_op_find(const char *);
const struct proto_op *proto_op_at(size_t);

void proto_set_max_depth(int);
int proto_decode(const char *, size_t, struct proto_request *,
    struct proto_fault *);
void proto_request_clear(struct proto_request *);
void proto_fault_clear(struct proto_fault *);

/* Room for most records and events dumped by proto_dump. */
#define PROTO_DUMP_BUF 16384

char *proto_dump(const json_t *, size_t, char *, size_t);
void proto_copy(char *, size_t, const char *);
char *proto_reply_ok(json_t *, json_t *);
char *proto_reply_ok_text(json_t *, const char *);
char *proto_reply_error(json_t *, enum proto_error, const char *);
char *proto_event_line(const char *, json_int_t, json_t *);

int proto_reply_parse(const char *, size_t, json_t **, json_t **,
    enum proto_error *, char **);

const char *proto_arg_str(const struct proto_request *, const char *);
json_int_t proto_arg_int(const struct proto_request *, const char *,
    json_int_t);
int proto_arg_bool(const struct proto_request *, const char *, int);
json_t *proto_arg(const struct proto_request *, const char *);
int proto_arg_time(const struct proto_request *, const char *, time_t *);

/* frame.c */
#define PROTO_MAX_REPLY (16 * 1024 * 1024)
int proto_frame_next(struct evbuffer *, size_t, char **, size_t *);

/* ptime.c */
#define PROTO_TIME_LEN 32
char *proto_time_format(time_t, char *, size_t);
int proto_time_parse(const char *, time_t *);
json_t *proto_time_json(time_t);

#endif
