/* proto.c: decoding requests and encoding replies and events. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

static const char *const error_names[PROTO_NERRORS] = {
    [PROTO_OK] = "ok",
    [PROTO_BAD_JSON] = "bad_json",
    [PROTO_TOO_LARGE] = "too_large",
    [PROTO_BAD_VERSION] = "bad_version",
    [PROTO_UNKNOWN_OP] = "unknown_op",
    [PROTO_INVALID_ARGUMENT] = "invalid_argument",
    [PROTO_UNAUTHENTICATED] = "unauthenticated",
    [PROTO_FORBIDDEN] = "forbidden",
    [PROTO_NOT_FOUND] = "not_found",
    [PROTO_CONFLICT] = "conflict",
    [PROTO_RATE_LIMITED] = "rate_limited",
    [PROTO_UNAVAILABLE] = "unavailable",
    [PROTO_INTERNAL] = "internal",
};

/* Returns the wire name of an error code. */
const char *
proto_error_name(enum proto_error code)
{
	if (code < 0 || code >= PROTO_NERRORS)
		return "internal";
	return error_names[code];
}

/* Returns the error code with this wire name, or -1. */
int
proto_error_from_name(const char *name)
{
	int i;

	for (i = 0; i < PROTO_NERRORS; i++) {
		if (strcmp(error_names[i], name) == 0)
			return i;
	}
	return -1;
}

static int proto_fail(struct proto_fault *, enum proto_error, int, const char *,
    ...) __attribute__((format(printf, 4, 5)));

/* Records what was wrong with a request; always returns -1. */
static int
proto_fail(struct proto_fault *fault, enum proto_error code, int close,
    const char *fmt, ...)
{
	va_list ap;

	fault->code = code;
	fault->close = close;
	free(fault->message);
	va_start(ap, fmt);
	if (vasprintf(&fault->message, fmt, ap) == -1)
		fault->message = NULL;
	va_end(ap);
	return -1;
}

static const char *
proto_type_name(enum proto_type type)
{
	switch (type) {
	case PROTO_T_STRING:
		return "a string";
	case PROTO_T_INT:
		return "an integer";
	case PROTO_T_BOOL:
		return "true or false";
	case PROTO_T_LIST:
		return "a list of strings";
	case PROTO_T_TIME:
		return "an RFC 3339 time";
	}
	return "a value";
}

/* Whether v is a string with no NUL inside it. */
static int
proto_is_text(json_t *v)
{
	return json_is_string(v) &&
	    strlen(json_string_value(v)) == json_string_length(v);
}

/* Checks one argument's type and size; 0 when it fits the field. */
static int
proto_check_value(const struct proto_field *f, json_t *v)
{
	size_t i;
	json_t *item;
	time_t t;

	switch (f->type) {
	case PROTO_T_STRING:
		return proto_is_text(v) && json_string_length(v) > 0 &&
		        json_string_length(v) <= f->max
		    ? 0
		    : -1;
	case PROTO_T_INT:
		return json_is_integer(v) ? 0 : -1;
	case PROTO_T_BOOL:
		return json_is_boolean(v) ? 0 : -1;
	case PROTO_T_TIME:
		return proto_is_text(v) &&
		        proto_time_parse(json_string_value(v), &t) == 0
		    ? 0
		    : -1;
	case PROTO_T_LIST:
		if (!json_is_array(v) || json_array_size(v) > f->max)
			return -1;
		json_array_foreach(v, i, item)
		{
			if (!proto_is_text(item) ||
			    json_string_length(item) == 0 ||
			    json_string_length(item) > 64)
				return -1;
		}
		return 0;
	}
	return -1;
}

/* Describes what a field takes, for an error message. */
static const char *
proto_field_wants(const struct proto_field *f, char *buf, size_t len)
{
	if (f->type == PROTO_T_STRING)
		snprintf(buf, len, "a string of 1 to %zu bytes", f->max);
	else if (f->type == PROTO_T_LIST)
		snprintf(buf, len, "a list of at most %zu non-empty strings",
		    f->max);
	else
		snprintf(buf, len, "%s", proto_type_name(f->type));
	return buf;
}

static int
proto_is_envelope(const char *key)
{
	return strcmp(key, "v") == 0 || strcmp(key, "id") == 0 ||
	    strcmp(key, "op") == 0 || strcmp(key, "retry") == 0;
}

/* Checks a request's arguments against its operation's field table. */
static int
proto_check_args(const struct proto_op *op, json_t *root,
    struct proto_fault *fault)
{
	const struct proto_field *f;
	const char *key;
	json_t *v;
	char wants[64];

	json_object_foreach(root, key, v)
	{
		if (proto_is_envelope(key))
			continue;
		for (f = op->fields; f->name != NULL; f++) {
			if (strcmp(f->name, key) == 0)
				break;
		}
		if (f->name == NULL)
			return proto_fail(fault, PROTO_INVALID_ARGUMENT, 0,
			    "%s takes no argument \"%s\"", op->name, key);
		if (proto_check_value(f, v) != 0)
			return proto_fail(fault, PROTO_INVALID_ARGUMENT, 0,
			    "argument \"%s\" must be %s", key,
			    proto_field_wants(f, wants, sizeof wants));
	}
	for (f = op->fields; f->name != NULL; f++) {
		if (f->required && json_object_get(root, f->name) == NULL)
			return proto_fail(fault, PROTO_INVALID_ARGUMENT, 0,
			    "%s needs argument \"%s\"", op->name, f->name);
	}
	return 0;
}

/* How deep requests may nest; jansson's own bound (2048) is the most. */
static int proto_max_depth = PROTO_DEFAULT_DEPTH;

/* Sets how deep a request's JSON may nest, from 2 to 2048 levels. */
void
proto_set_max_depth(int depth)
{
	proto_max_depth = depth < 2 ? 2 : depth > 2048 ? 2048 : depth;
}

/*
 * How many levels of arrays and objects v holds: 1 for a flat object.
 * The recursion is bounded by jansson, which refuses deeper input.
 */
static int
proto_depth(json_t *v)
{
	json_t *item;
	const char *key;
	size_t i;
	int most = 0, d;

	if (json_is_array(v)) {
		json_array_foreach(v, i, item)
		{
			if ((d = proto_depth(item)) > most)
				most = d;
		}
		return most + 1;
	}
	if (json_is_object(v)) {
		json_object_foreach(v, key, item)
		{
			if ((d = proto_depth(item)) > most)
				most = d;
		}
		return most + 1;
	}
	return 0;
}

/* Parses the JSON text of one line; framing faults close the session. */
static json_t *
proto_parse(const char *line, size_t len, struct proto_fault *fault)
{
	json_t *root;
	json_error_t error;
	int code;

	/*
	 * A raw NUL or bytes that are not UTF-8 mean the peer is not
	 * sending text lines at all: answer once and end the session.
	 * An escaped \u0000 is text, and is refused field by field.
	 */
	if (memchr(line, '\0', len) != NULL) {
		proto_fail(fault, PROTO_BAD_JSON, 1,
		    "not a text line: it holds a NUL byte");
		return NULL;
	}
	root = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
	    &error);
	if (root != NULL && proto_depth(root) > proto_max_depth) {
		json_decref(root);
		proto_fail(fault, PROTO_BAD_JSON, 0,
		    "nested deeper than %d levels", proto_max_depth);
		return NULL;
	}
	if (root != NULL)
		return root;
	code = json_error_code(&error);
	if (code == json_error_invalid_utf8) {
		proto_fail(fault, PROTO_BAD_JSON, 1, "not a text line: %s",
		    error.text);
		return NULL;
	}
	proto_fail(fault, PROTO_BAD_JSON, 0, "%s at column %d", error.text,
	    error.column);
	return NULL;
}

/* Checks the envelope: an object with v, an integer id and a known op. */
static int
proto_check_envelope(struct proto_request *req, struct proto_fault *fault)
{
	json_t *v, *op, *key;
	json_int_t id;

	if (!json_is_object(req->root))
		return proto_fail(fault, PROTO_BAD_JSON, 0,
		    "a request must be a JSON object");
	req->id = json_object_get(req->root, "id");
	if (req->id != NULL) {
		id =
		    json_is_integer(req->id) ? json_integer_value(req->id) : -1;
		if (id < 0 || id > PROTO_MAX_ID) {
			req->id = NULL;
			return proto_fail(fault, PROTO_INVALID_ARGUMENT, 0,
			    "\"id\" must be an integer from 0 to 2^53");
		}
	}
	v = json_object_get(req->root, "v");
	if (!json_is_integer(v) || json_integer_value(v) != PROTO_VERSION)
		return proto_fail(fault, PROTO_BAD_VERSION, 0,
		    "this server speaks protocol version %d", PROTO_VERSION);
	op = json_object_get(req->root, "op");
	if (!proto_is_text(op))
		return proto_fail(fault, PROTO_INVALID_ARGUMENT, 0,
		    "\"op\" must be a string");
	key = json_object_get(req->root, "retry");
	if (key != NULL &&
	    (!proto_is_text(key) || json_string_length(key) == 0 ||
	        json_string_length(key) > PROTO_MAX_KEY))
		return proto_fail(fault, PROTO_INVALID_ARGUMENT, 0,
		    "\"retry\" must be a string of 1 to %d bytes",
		    PROTO_MAX_KEY);
	req->op = proto_op_find(json_string_value(op));
	if (req->op == NULL)
		return proto_fail(fault, PROTO_UNKNOWN_OP, 0,
		    "unknown operation \"%.64s\"", json_string_value(op));
	return 0;
}

/*
 * Decodes one line (without its newline) into a validated request. On
 * failure the fault says which error to send; req->id is still set when
 * the line carried a usable one, so the reply can name it.
 */
int
proto_decode(const char *line, size_t len, struct proto_request *req,
    struct proto_fault *fault)
{
	memset(req, 0, sizeof *req);
	if (len >= PROTO_MAX_LINE)
		return proto_fail(fault, PROTO_TOO_LARGE, 1,
		    "a line may hold at most " PROTO_MAX_LINE_TEXT " bytes");
	req->root = proto_parse(line, len, fault);
	if (req->root == NULL)
		return -1;
	if (proto_check_envelope(req, fault) != 0)
		return -1;
	return proto_check_args(req->op, req->root, fault);
}

void
proto_request_clear(struct proto_request *req)
{
	json_decref(req->root);
	memset(req, 0, sizeof *req);
}

void
proto_fault_clear(struct proto_fault *fault)
{
	free(fault->message);
	memset(fault, 0, sizeof *fault);
}

/*
 * Copies text into a field of size bytes, cut to fit where snprintf would
 * cut it, and always ended. snprintf's reading of its format cost more
 * than the copies themselves, five of them in every offer.post.
 */
void
proto_copy(char *dst, size_t size, const char *src)
{
	size_t n;

	if (size == 0)
		return;
	n = strnlen(src, size - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/*
 * Dumps json as text into buf when it fits in len bytes with its NUL,
 * else into new memory. Returns buf, the new text (which the caller
 * frees), or NULL. Most records and events are a few hundred bytes, and
 * writing them into the caller's buffer saves the copies and
 * reallocations of growing one; a text that does not fit is dumped
 * twice, so it suits texts that mostly fit.
 */
char *
proto_dump(const json_t *json, size_t flags, char *buf, size_t len)
{
	size_t n;

	n = json_dumpb(json, buf, len, flags);
	if (n == 0)
		return NULL;
	if (n < len) {
		buf[n] = '\0';
		return buf;
	}
	return json_dumps(json, flags);
}

/* Encodes an object as one line with its newline; steals obj. */
static char *
proto_line(json_t *obj)
{
	char buf[PROTO_DUMP_BUF], *text, *line;
	size_t len;

	if (obj == NULL)
		return NULL;
	text = proto_dump(obj, JSON_COMPACT | JSON_PRESERVE_ORDER, buf,
	    sizeof buf);
	json_decref(obj);
	if (text == NULL)
		return NULL;
	len = strlen(text);
	if ((line = malloc(len + 2)) != NULL) {
		memcpy(line, text, len);
		line[len] = '\n';
		line[len + 1] = '\0';
	}
	if (text != buf)
		free(text);
	return line;
}

/*
 * Builds an ok reply line around a result that is already JSON text,
 * byte for byte what proto_reply_ok would write for the same object.
 */
char *
proto_reply_ok_text(json_t *id, const char *result)
{
	static const char head[] = "{\"v\":" PROTO_VERSION_TEXT ",\"id\":";
	static const char mid[] = ",\"ok\":true,\"result\":";
	char buf[64], *idtext, *line, *p;
	size_t ilen, rlen = strlen(result);

	idtext = proto_dump(id != NULL ? id : json_null(),
	    JSON_COMPACT | JSON_ENCODE_ANY, buf, sizeof buf);
	if (idtext == NULL)
		return NULL;
	/* A listing's result is long: it is copied once, not printed. */
	ilen = strlen(idtext);
	line = malloc(sizeof head + ilen + sizeof mid + rlen + 2);
	if (line != NULL) {
		p = mempcpy(line, head, sizeof head - 1);
		p = mempcpy(p, idtext, ilen);
		p = mempcpy(p, mid, sizeof mid - 1);
		p = mempcpy(p, result, rlen);
		memcpy(p, "}\n", 3);
	}
	if (idtext != buf)
		free(idtext);
	return line;
}

/* Builds an ok reply line; steals result (which may be NULL). */
char *
proto_reply_ok(json_t *id, json_t *result)
{
	return proto_line(json_pack("{s:i, s:O, s:b, s:o}", "v", PROTO_VERSION,
	    "id", id != NULL ? id : json_null(), "ok", 1, "result",
	    result != NULL ? result : json_object()));
}

/* Builds an error reply line. */
char *
proto_reply_error(json_t *id, enum proto_error code, const char *message)
{
	return proto_line(json_pack("{s:i, s:O, s:b, s:{s:s, s:s}}", "v",
	    PROTO_VERSION, "id", id != NULL ? id : json_null(), "ok", 0,
	    "error", "code", proto_error_name(code), "message",
	    message != NULL ? message : proto_error_name(code)));
}

/* Builds an event line from a name, a sequence number and a body, which
 * stays the caller's. */
char *
proto_event_line(const char *name, json_int_t seq, json_t *body)
{
	json_t *obj;

	obj = json_pack("{s:i, s:s, s:I}", "v", PROTO_VERSION, "event", name,
	    "seq", seq);
	if (obj != NULL && body != NULL)
		json_object_update_missing(obj, body);
	return proto_line(obj);
}

/*
 * Parses a reply line for a client. On an ok reply, *result holds a new
 * reference; on an error reply, *code and *message are set. Returns -1 only
 * when the line is not a reply at all.
 */
int
proto_reply_parse(const char *line, size_t len, json_t **root, json_t **result,
    enum proto_error *code, char **message)
{
	json_t *err;
	const char *name, *text;
	int n;

	*root = json_loadb(line, len, 0, NULL);
	*result = NULL;
	if (*root == NULL || !json_is_object(*root))
		return -1;
	if (json_is_true(json_object_get(*root, "ok"))) {
		*result = json_object_get(*root, "result");
		*code = PROTO_OK;
		return 0;
	}
	err = json_object_get(*root, "error");
	name = json_string_value(json_object_get(err, "code"));
	text = json_string_value(json_object_get(err, "message"));
	if (name == NULL)
		return -1;
	n = proto_error_from_name(name);
	*code = n < 0 ? PROTO_INTERNAL : (enum proto_error)n;
	*message = strdup(text != NULL ? text : name);
	return 0;
}

/* Returns a validated string argument, or NULL when absent. */
const char *
proto_arg_str(const struct proto_request *req, const char *name)
{
	return json_string_value(json_object_get(req->root, name));
}

/* Returns a validated integer argument, or def when absent. */
json_int_t
proto_arg_int(const struct proto_request *req, const char *name, json_int_t def)
{
	json_t *v;

	v = json_object_get(req->root, name);
	return json_is_integer(v) ? json_integer_value(v) : def;
}

/* Returns a validated boolean argument, or def when absent. */
int
proto_arg_bool(const struct proto_request *req, const char *name, int def)
{
	json_t *v;

	v = json_object_get(req->root, name);
	return json_is_boolean(v) ? json_is_true(v) : def;
}

/* Returns any argument, borrowed, or NULL when absent. */
json_t *
proto_arg(const struct proto_request *req, const char *name)
{
	return json_object_get(req->root, name);
}

/* Reads a time argument; 0 when present and valid, -1 when absent. */
int
proto_arg_time(const struct proto_request *req, const char *name, time_t *t)
{
	const char *s;

	s = proto_arg_str(req, name);
	if (s == NULL)
		return -1;
	return proto_time_parse(s, t);
}
