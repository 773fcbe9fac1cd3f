/* test_proto.c: the wire protocol: framing, decoding, replies and times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <event2/buffer.h>

#include "jalloc.h"
#include "jtext.h"
#include "proto.h"

/* Decodes a line expecting failure; returns the fault for inspection. */
static struct proto_fault
decode_fails(const char *line)
{
	struct proto_request req;
	struct proto_fault fault = {0};

	assert_int_equal(proto_decode(line, strlen(line), &req, &fault), -1);
	proto_request_clear(&req);
	assert_non_null(fault.message);
	return fault;
}

/* Asserts that a line fails with code and a message holding needle. */
static void
assert_fault(const char *line, enum proto_error code, const char *needle,
    int close)
{
	struct proto_fault fault = decode_fails(line);

	assert_string_equal(proto_error_name(fault.code),
	    proto_error_name(code));
	if (needle != NULL && strstr(fault.message, needle) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", fault.message, needle);
	assert_int_equal(fault.close, close);
	proto_fault_clear(&fault);
}

static void
test_proto_decode_valid(void **state)
{
	const char *line = "{\"v\":1,\"id\":7,\"op\":\"offer.show\","
	                   "\"offer\":3}";
	struct proto_request req;
	struct proto_fault fault = {0};

	(void)state;
	assert_int_equal(proto_decode(line, strlen(line), &req, &fault), 0);
	assert_string_equal(req.op->name, "offer.show");
	assert_int_equal(json_integer_value(req.id), 7);
	assert_int_equal(proto_arg_int(&req, "offer", 0), 3);
	proto_request_clear(&req);
}

static void
test_proto_bad_json_keeps_session(void **state)
{
	(void)state;
	assert_fault("not json", PROTO_BAD_JSON, "column", 0);
	assert_fault("{\"v\":1,", PROTO_BAD_JSON, NULL, 0);
	assert_fault("[1,2]", PROTO_BAD_JSON, "object", 0);
}

/* Nesting: 16 levels by default, then what proto_set_max_depth says. */
static void
test_proto_nesting_depth(void **state)
{
	char line[256];
	struct proto_request req;
	struct proto_fault fault;
	int depth, i, off;

	(void)state;
	for (depth = 15; depth <= 17; depth++) {
		/* The request object is one level; "x" adds depth - 1. */
		off = snprintf(line, sizeof line,
		    "{\"v\":1,\"id\":1,\"op\":\"status\",\"x\":");
		for (i = 1; i < depth; i++)
			line[off++] = '[';
		for (i = 1; i < depth; i++)
			line[off++] = ']';
		line[off++] = '}';
		memset(&fault, 0, sizeof fault);
		assert_int_equal(proto_decode(line, (size_t)off, &req, &fault),
		    -1);
		/* Within the bound the only fault is the unknown argument. */
		assert_int_equal(fault.code,
		    depth <= PROTO_DEFAULT_DEPTH ? PROTO_INVALID_ARGUMENT
		                                 : PROTO_BAD_JSON);
		proto_request_clear(&req);
		proto_fault_clear(&fault);
	}
	proto_set_max_depth(2);
	memset(&fault, 0, sizeof fault);
	assert_int_equal(proto_decode("{\"v\":1,\"op\":\"status\",\"x\":[[]]}",
	                     30, &req, &fault),
	    -1);
	assert_int_equal(fault.code, PROTO_BAD_JSON);
	proto_request_clear(&req);
	proto_fault_clear(&fault);
	proto_set_max_depth(PROTO_DEFAULT_DEPTH);
}

static void
test_proto_duplicate_keys_rejected(void **state)
{
	(void)state;
	assert_fault("{\"v\":1,\"id\":1,\"op\":\"status\",\"op\":\"status\"}",
	    PROTO_BAD_JSON, "duplicate", 0);
}

static void
test_proto_binary_closes_session(void **state)
{
	struct proto_request req;
	struct proto_fault fault = {0};
	const char nul[] = "{\"v\":1,\0\"op\":\"status\"}";
	const char *utf = "{\"v\":1,\"op\":\"st\xff\xfe\"}";

	(void)state;
	assert_int_equal(proto_decode(nul, sizeof nul - 1, &req, &fault), -1);
	assert_int_equal(fault.code, PROTO_BAD_JSON);
	assert_int_equal(fault.close, 1);
	proto_fault_clear(&fault);
	assert_fault(utf, PROTO_BAD_JSON, NULL, 1);
}

static void
test_proto_too_large_closes_session(void **state)
{
	struct proto_request req;
	struct proto_fault fault = {0};
	char *big;

	(void)state;
	big = malloc(PROTO_MAX_LINE);
	assert_non_null(big);
	memset(big, ' ', PROTO_MAX_LINE);
	assert_int_equal(proto_decode(big, PROTO_MAX_LINE, &req, &fault), -1);
	assert_int_equal(fault.code, PROTO_TOO_LARGE);
	assert_int_equal(fault.close, 1);
	proto_fault_clear(&fault);
	free(big);
}

static void
test_proto_bad_version(void **state)
{
	(void)state;
	assert_fault("{\"v\":2,\"id\":1,\"op\":\"status\"}", PROTO_BAD_VERSION,
	    "version 1", 0);
	assert_fault("{\"id\":1,\"op\":\"status\"}", PROTO_BAD_VERSION, NULL,
	    0);
	assert_fault("{\"v\":\"1\",\"id\":1,\"op\":\"status\"}",
	    PROTO_BAD_VERSION, NULL, 0);
}

static void
test_proto_unknown_op(void **state)
{
	(void)state;
	assert_fault("{\"v\":1,\"id\":1,\"op\":\"offer.steal\"}",
	    PROTO_UNKNOWN_OP, "offer.steal", 0);
	assert_fault("{\"v\":1,\"id\":1}", PROTO_INVALID_ARGUMENT, "\"op\"", 0);
}

static void
test_proto_argument_errors_name_the_field(void **state)
{
	(void)state;
	assert_fault("{\"v\":1,\"id\":1,\"op\":\"offer.show\",\"offer\":\"3\"}",
	    PROTO_INVALID_ARGUMENT, "\"offer\" must be an integer", 0);
	assert_fault("{\"v\":1,\"id\":1,\"op\":\"offer.show\"}",
	    PROTO_INVALID_ARGUMENT, "needs argument \"offer\"", 0);
	assert_fault("{\"v\":1,\"id\":1,\"op\":\"status\",\"colour\":1}",
	    PROTO_INVALID_ARGUMENT, "no argument \"colour\"", 0);
	assert_fault("{\"v\":1,\"id\":1,\"op\":\"member.show\",\"handle\":"
	             "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
	    PROTO_INVALID_ARGUMENT,
	    "\"handle\" must be a string of 1 to 32 bytes", 0);
	assert_fault(
	    "{\"v\":1,\"id\":1,\"op\":\"member.show\",\"handle\":\"\"}",
	    PROTO_INVALID_ARGUMENT, "\"handle\"", 0);
	assert_fault("{\"v\":1,\"id\":1,\"op\":\"member.show\",\"handle\":"
	             "\"a\\u0000b\"}",
	    PROTO_INVALID_ARGUMENT, "\"handle\"", 0);
	assert_fault("{\"v\":1,\"id\":1,\"op\":\"request.post\",\"categories\":"
	             "[1],\"grams\":1,\"by\":\"2030-01-01T00:00:00Z\"}",
	    PROTO_INVALID_ARGUMENT, "\"categories\"", 0);
	assert_fault("{\"v\":1,\"id\":1,\"op\":\"request.post\",\"categories\":"
	             "[\"bakery\"],\"grams\":1,\"by\":\"friday\"}",
	    PROTO_INVALID_ARGUMENT, "\"by\" must be an RFC 3339 time", 0);
	assert_fault("{\"v\":1,\"id\":1,\"op\":\"offer.list\",\"mine\":1}",
	    PROTO_INVALID_ARGUMENT, "\"mine\" must be true or false", 0);
}

static void
test_proto_bad_id_is_not_echoed(void **state)
{
	struct proto_request req;
	struct proto_fault fault = {0};
	const char *line = "{\"v\":1,\"id\":-4,\"op\":\"status\"}";

	(void)state;
	assert_int_equal(proto_decode(line, strlen(line), &req, &fault), -1);
	assert_int_equal(fault.code, PROTO_INVALID_ARGUMENT);
	assert_null(req.id);
	proto_request_clear(&req);
	proto_fault_clear(&fault);
}

static void
test_proto_id_survives_argument_error(void **state)
{
	struct proto_request req;
	struct proto_fault fault = {0};
	const char *line = "{\"v\":1,\"id\":9,\"op\":\"offer.show\"}";

	(void)state;
	assert_int_equal(proto_decode(line, strlen(line), &req, &fault), -1);
	assert_int_equal(json_integer_value(req.id), 9);
	proto_request_clear(&req);
	proto_fault_clear(&fault);
}

/* A reply around JSON text reads exactly as one around the object. */
static void
test_proto_reply_ok_text_matches(void **state)
{
	json_t *ids[] = {json_integer(9), json_string("a\"b"), json_null()};
	char *a, *b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		a = proto_reply_ok(ids[i],
		    json_pack("{s:[i,i], s:n}", "offers", 1, 2, "next"));
		b = proto_reply_ok_text(ids[i],
		    "{\"offers\":[1,2],\"next\":null}");
		assert_non_null(a);
		assert_non_null(b);
		assert_string_equal(a, b);
		free(a);
		free(b);
		json_decref(ids[i]);
	}
}

static void
test_proto_reply_round_trip(void **state)
{
	json_t *id = json_integer(5), *root, *result;
	char *ok, *err, *message = NULL;
	enum proto_error code;

	(void)state;
	ok = proto_reply_ok(id, json_pack("{s:i}", "n", 3));
	assert_non_null(ok);
	assert_int_equal(ok[strlen(ok) - 1], '\n');
	assert_string_equal(ok,
	    "{\"v\":1,\"id\":5,\"ok\":true,\"result\":{\"n\":3}}\n");
	assert_int_equal(
	    proto_reply_parse(ok, strlen(ok), &root, &result, &code, &message),
	    0);
	assert_int_equal(code, PROTO_OK);
	assert_int_equal(json_integer_value(json_object_get(result, "n")), 3);
	json_decref(root);
	err = proto_reply_error(NULL, PROTO_CONFLICT, "offer 3 is closed");
	assert_string_equal(err,
	    "{\"v\":1,\"id\":null,\"ok\":false,\"error\":"
	    "{\"code\":\"conflict\",\"message\":\"offer 3 is closed\"}}\n");
	assert_int_equal(proto_reply_parse(err, strlen(err), &root, &result,
	                     &code, &message),
	    0);
	assert_int_equal(code, PROTO_CONFLICT);
	assert_string_equal(message, "offer 3 is closed");
	json_decref(root);
	free(message);
	free(ok);
	free(err);
	json_decref(id);
}

static void
test_proto_error_names_are_closed_set(void **state)
{
	static const char *names[] = {"bad_json", "too_large", "bad_version",
	    "unknown_op", "invalid_argument", "unauthenticated", "forbidden",
	    "not_found", "conflict", "rate_limited", "unavailable", "internal"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		assert_int_equal(proto_error_from_name(names[i]), (int)i + 1);
		assert_string_equal(proto_error_name((enum proto_error)(i + 1)),
		    names[i]);
	}
	assert_int_equal(proto_error_from_name("oops"), -1);
}

static void
test_proto_frame_lines(void **state)
{
	struct evbuffer *in = evbuffer_new();
	char *line;
	size_t len;

	(void)state;
	evbuffer_add_printf(in, "{\"a\":1}\n{\"b\"");
	assert_int_equal(proto_frame_next(in, 100, &line, &len), 1);
	assert_string_equal(line, "{\"a\":1}");
	assert_int_equal(len, 7);
	free(line);
	assert_int_equal(proto_frame_next(in, 100, &line, &len), 0);
	evbuffer_add_printf(in, ":2}\r\n");
	assert_int_equal(proto_frame_next(in, 100, &line, &len), 1);
	assert_string_equal(line, "{\"b\":2}\r");
	free(line);
	assert_int_equal(evbuffer_get_length(in), 0);
	evbuffer_free(in);
}

static void
test_proto_frame_too_long(void **state)
{
	struct evbuffer *in = evbuffer_new();
	char *line;
	size_t len;
	char chunk[64];

	(void)state;
	memset(chunk, 'x', sizeof chunk);
	evbuffer_add(in, chunk, 63);
	assert_int_equal(proto_frame_next(in, 64, &line, &len), 0);
	evbuffer_add(in, chunk, 1);
	assert_int_equal(proto_frame_next(in, 64, &line, &len), -1);
	evbuffer_drain(in, evbuffer_get_length(in));
	evbuffer_add(in, chunk, 63);
	evbuffer_add(in, "\n", 1);
	assert_int_equal(proto_frame_next(in, 64, &line, &len), 1);
	free(line);
	evbuffer_add(in, chunk, 64);
	evbuffer_add(in, "\n", 1);
	assert_int_equal(proto_frame_next(in, 64, &line, &len), -1);
	evbuffer_free(in);
}

static void
test_proto_time_parse(void **state)
{
	time_t t, want;
	char buf[PROTO_TIME_LEN], text[64];
	struct tm tm;
	int y, m, d;

	(void)state;
	assert_int_equal(proto_time_parse("2026-12-03T19:16:41Z", &t), 0);
	assert_int_equal(t, 1796325401);
	assert_string_equal(proto_time_format(t, buf, sizeof buf),
	    "2026-12-03T19:16:41Z");
	assert_int_equal(proto_time_parse("2026-12-03T20:16:41.250+01:00", &t),
	    0);
	assert_int_equal(t, 1796325401);
	assert_int_equal(proto_time_parse("2026-12-03t14:16:41-05:00", &t), 0);
	assert_int_equal(t, 1796325401);
	assert_int_equal(proto_time_parse("2028-02-29T00:00:00Z", &t), 0);

	/* A day is a date only if the calendar has it: as timegm says. */
	for (y = 1970; y <= 2404; y += (y < 2030 ? 1 : 97)) {
		for (m = 1; m <= 12; m++) {
			for (d = 0; d <= 32; d++) {
				memset(&tm, 0, sizeof tm);
				tm.tm_year = y - 1900;
				tm.tm_mon = m - 1;
				tm.tm_mday = d;
				want = timegm(&tm);
				snprintf(text, sizeof text,
				    "%04d-%02d-%02dT00:00:00Z", y, m, d);
				if (tm.tm_mday != d) {
					assert_int_equal(
					    proto_time_parse(text, &t), -1);
					continue;
				}
				assert_int_equal(proto_time_parse(text, &t), 0);
				assert_int_equal(t, want);
				/* Second 60 stays on its day only before its
				 * last minute. */
				snprintf(text, sizeof text,
				    "%04d-%02d-%02dT12:00:60Z", y, m, d);
				assert_int_equal(proto_time_parse(text, &t), 0);
				assert_int_equal(t, want + 12 * 3600 + 60);
				snprintf(text, sizeof text,
				    "%04d-%02d-%02dT23:59:60Z", y, m, d);
				assert_int_equal(proto_time_parse(text, &t),
				    -1);
			}
		}
	}
}

/* Asserts that jtext_json writes v as jansson's sorted compact dump. */
static void
assert_canonical(json_t *v)
{
	struct jtext t = JTEXT_INIT;
	char *want, *got;

	want = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	assert_non_null(want);
	jtext_json(&t, v);
	got = jtext_end(&t);
	assert_non_null(got);
	if (strcmp(got, want) != 0)
		fail_msg("jtext_json wrote\n%s\njansson wrote\n%s", got, want);
	free(got);
	free(want);
}

/* A draw from a small generator, so that every run sees the same trees. */
static uint64_t
draw(uint64_t *s, uint64_t below)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (*s >> 33) % below;
}

/* Text with the bytes that escaping and key order turn on. */
static size_t
draw_text(uint64_t *s, char *buf)
{
	static const char *const bits[] = {"a", "b", "A", "_", "ab", "\"", "\\",
	    "/", "\n", "\t", "\x01", "\x1f", "\x7f", "\xc3\xa9", "\xe2\x82\xac",
	    "\xf0\x9f\x8d\x9e", "z", "0", " "};
	const char *bit;
	size_t n = 0, k = draw(s, 5), i;

	for (i = 0; i < k; i++) {
		bit = bits[draw(s, sizeof bits / sizeof bits[0])];
		memcpy(buf + n, bit, strlen(bit));
		n += strlen(bit);
	}
	buf[n] = '\0';
	return n;
}

/* A random value: objects up to 40 members, arrays, every scalar. */
static json_t *
draw_value(uint64_t *s, int depth)
{
	static const json_int_t ints[] = {0, 1, -1, 42, 1000000007, INT64_MAX,
	    INT64_MIN, -9000000000LL};
	static const double reals[] = {0.0, -0.0, 0.1, 1.5, 3.0, -2.25e-7,
	    1e300, 123456789.125};
	char buf[64];
	json_t *v;
	size_t i, n, len;

	switch (depth > 3 ? 2 + draw(s, 7) : draw(s, 9)) {
	case 0:
	case 1:
		v = json_object();
		n = draw(s, 3) == 0 ? draw(s, 41) : draw(s, 6);
		for (i = 0; i < n; i++) {
			len = draw_text(s, buf);
			/* A key may hold a NUL: jansson sorts it by length. */
			if (draw(s, 10) == 0)
				buf[len++] = '\0';
			json_object_setn_new(v, buf, len,
			    draw_value(s, depth + 1));
		}
		return v;
	case 2:
		v = json_array();
		for (n = draw(s, 4), i = 0; i < n; i++)
			json_array_append_new(v, draw_value(s, depth + 1));
		return v;
	case 3:
	case 4:
		len = draw_text(s, buf);
		if (draw(s, 10) == 0)
			buf[len++] = '\0';
		return json_stringn(buf, len);
	case 5:
		return json_integer(
		    ints[draw(s, sizeof ints / sizeof ints[0])]);
	case 6:
		return json_real(
		    reals[draw(s, sizeof reals / sizeof reals[0])]);
	case 7:
		return json_boolean(draw(s, 2));
	default:
		return json_null();
	}
}

/*
 * The exchange log's canonical text, written by jtext_json, is what
 * jansson's sorted compact dump writes, for events as larderd makes them
 * and for trees of every shape.
 */
static void
test_proto_jtext_json_is_canonical(void **state)
{
	static const char *const texts[] = {
	    "{}",
	    "[]",
	    "{\"seq\":1,\"at\":\"2026-11-01T10:00:00Z\",\"kind\":"
	    "\"offer.posted\",\"actor\":\"food-bank\",\"offer\":7,"
	    "\"member\":\"food-bank\",\"hub\":\"barking\",\"category\":"
	    "\"bakery\",\"storage\":\"ambient\",\"grams\":12000,"
	    "\"use_by\":\"2026-11-03T00:00:00Z\",\"divisible\":true,"
	    "\"fallback\":\"compost\",\"challenge\":null}",
	    "{\"b\":{\"z\":[1,{\"y\":2,\"x\":[]}],\"a\":\"\\u00e9\"},"
	    "\"a\":-0.5,\"ab\":1e-3,\"A\":false,\"\":\"empty key\"}",
	    "{\"note\":\"tab\\there \\\"quoted\\\" back\\\\slash "
	    "\\u0001 \\u001f \\u007f \\u20ac \\ud83c\\udf5e /\"}",
	};
	json_error_t err;
	json_t *v;
	uint64_t s = 20261204;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		v = json_loads(texts[i], 0, &err);
		if (v == NULL)
			fail_msg("%s: %s", texts[i], err.text);
		assert_canonical(v);
		json_decref(v);
	}
	for (i = 0; i < 3000; i++) {
		v = draw_value(&s, 0);
		assert_non_null(v);
		assert_canonical(v);
		json_decref(v);
	}
}

/* The written digits agree with strftime, and read back, across years. */
static void
test_proto_time_format(void **state)
{
	char buf[PROTO_TIME_LEN], want[64];
	struct tm tm;
	time_t t, back;
	int i;

	(void)state;
	for (t = 0; t < (time_t)4102444800LL; t += 86400 * 7 + 3671) {
		gmtime_r(&t, &tm);
		strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%SZ", &tm);
		assert_string_equal(proto_time_format(t, buf, sizeof buf),
		    want);
		assert_int_equal(proto_time_parse(buf, &back), 0);
		assert_int_equal(back, t);
	}
	/* Times from year 0 to 9999, against the C library. */
	srand(7);
	for (i = 0; i < 200000; i++) {
		t = (time_t)(((int64_t)rand() << 16 ^ rand()) %
		        (253402300800LL + 62167219200LL) -
		    62167219200LL);
		assert_non_null(gmtime_r(&t, &tm));
		snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02dZ",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec);
		assert_string_equal(proto_time_format(t, buf, sizeof buf),
		    want);
	}
	assert_string_equal(proto_time_format(-62167219200LL, buf, sizeof buf),
	    "0000-01-01T00:00:00Z");
	assert_string_equal(proto_time_format(-62167219201LL, buf, sizeof buf),
	    "invalid");
	assert_string_equal(proto_time_format(951782399, buf, sizeof buf),
	    "2000-02-28T23:59:59Z");
	assert_string_equal(proto_time_format(951868800, buf, sizeof buf),
	    "2000-03-01T00:00:00Z");
	assert_string_equal(proto_time_format(-1, buf, sizeof buf),
	    "1969-12-31T23:59:59Z");
	/* Too small a buffer, or a year of five digits, is not a time. */
	assert_string_equal(proto_time_format(0, buf, 20), "invalid");
	assert_string_equal(
	    proto_time_format((time_t)253402300800LL, buf, sizeof buf),
	    "invalid");
}

static void
test_proto_time_rejects(void **state)
{
	static const char *bad[] = {"", "2026-12-03", "2026-12-03 19:16:41Z",
	    "2026-12-03T19:16:41", "2026-02-29T00:00:00Z",
	    "2026-13-01T00:00:00Z", "2026-12-03T24:00:00Z",
	    "1969-12-31T23:59:59Z", "2026-12-03T19:16:41+25:00",
	    "2026-12-03T19:16:41Zjunk", "tomorrow"};
	size_t i;
	time_t t;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (proto_time_parse(bad[i], &t) == 0)
			fail_msg("accepted \"%s\"", bad[i]);
	}
}

static void
test_proto_every_op_has_fields(void **state)
{
	const struct proto_op *op;
	size_t i, n = 0;

	(void)state;
	for (i = 0; (op = proto_op_at(i)) != NULL; i++) {
		assert_non_null(op->fields);
		assert_ptr_equal(proto_op_find(op->name), op);
		n++;
	}
	assert_true(n >= 15);
	assert_null(proto_op_find("nope"));
}

/* jansson's allocator keeps freed blocks by size, bounded, and hands them
 * out again; what it hands out is ordinary malloc memory. */
static void
test_proto_jalloc_keeps_and_reuses_blocks(void **state)
{
	void *blocks[2 * JALLOC_KEEP / JALLOC_MAX], *p, *q;
	json_t *doc, *again;
	char *text;
	size_t i, n = sizeof blocks / sizeof blocks[0];

	(void)state;
	jalloc_flush();
	assert_int_equal(jalloc_kept(), 0);
	p = jalloc_malloc(40);
	memset(p, 'x', 40);
	jalloc_free(p);
	assert_int_equal(jalloc_kept(), 48);
	/* Any size up to the block's room takes it back. */
	q = jalloc_malloc(33);
	assert_ptr_equal(q, p);
	assert_int_equal(jalloc_kept(), 0);
	free(q); /* it is a malloc block */

	/* Large blocks are never kept. */
	jalloc_free(jalloc_malloc(2 * JALLOC_MAX));
	assert_int_equal(jalloc_kept(), 0);

	/*
	 * One size keeps at most JALLOC_KEEP bytes; the rest are freed. (The
	 * largest size, as malloc may give a small block more room than was
	 * asked, and a larger block of the largest size is not kept.)
	 */
	for (i = 0; i < n; i++)
		assert_non_null(blocks[i] = jalloc_malloc(JALLOC_MAX));
	for (i = 0; i < n; i++)
		jalloc_free(blocks[i]);
	assert_int_equal(jalloc_kept(), JALLOC_KEEP);
	jalloc_flush();
	assert_int_equal(jalloc_kept(), 0);

	/* jansson through it: the same text, and its dump freed by free(). */
	jalloc_install();
	for (i = 0; i < 200; i++) {
		doc = json_pack("{s:i, s:s, s:[s, s, {s:b}], s:f}", "seq",
		    (json_int_t)i, "member", "st-anne", "categories", "bakery",
		    "dairy", "nested", 1, "kg", 1.5);
		assert_non_null(doc);
		text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
		assert_non_null(text);
		again = json_loads(text, 0, NULL);
		assert_true(json_equal(doc, again));
		free(text);
		json_decref(again);
		json_decref(doc);
	}
	assert_true(jalloc_kept() > 0);
	json_set_alloc_funcs(malloc, free);
	jalloc_flush();
}

/* proto_copy cuts and ends text as snprintf("%s") would. */
static void
test_proto_copy_cuts_like_snprintf(void **state)
{
	static const char *texts[] = {"", "a", "bakery", "loaves and rolls"};
	char got[8], want[8];
	size_t i, size;

	(void)state;
	for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		for (size = 1; size <= sizeof got; size++) {
			memset(got, 'x', sizeof got);
			memset(want, 'x', sizeof want);
			proto_copy(got, size, texts[i]);
			snprintf(want, size, "%s", texts[i]);
			assert_memory_equal(got, want, sizeof got);
		}
	}
	got[0] = 'x';
	proto_copy(got, 0, "bakery");
	assert_int_equal(got[0], 'x');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_proto_decode_valid),
	    cmocka_unit_test(test_proto_bad_json_keeps_session),
	    cmocka_unit_test(test_proto_duplicate_keys_rejected),
	    cmocka_unit_test(test_proto_nesting_depth),
	    cmocka_unit_test(test_proto_binary_closes_session),
	    cmocka_unit_test(test_proto_too_large_closes_session),
	    cmocka_unit_test(test_proto_bad_version),
	    cmocka_unit_test(test_proto_unknown_op),
	    cmocka_unit_test(test_proto_argument_errors_name_the_field),
	    cmocka_unit_test(test_proto_bad_id_is_not_echoed),
	    cmocka_unit_test(test_proto_id_survives_argument_error),
	    cmocka_unit_test(test_proto_reply_round_trip),
	    cmocka_unit_test(test_proto_reply_ok_text_matches),
	    cmocka_unit_test(test_proto_error_names_are_closed_set),
	    cmocka_unit_test(test_proto_frame_lines),
	    cmocka_unit_test(test_proto_frame_too_long),
	    cmocka_unit_test(test_proto_time_parse),
	    cmocka_unit_test(test_proto_time_format),
	    cmocka_unit_test(test_proto_jtext_json_is_canonical),
	    cmocka_unit_test(test_proto_time_rejects),
	    cmocka_unit_test(test_proto_every_op_has_fields),
	    cmocka_unit_test(test_proto_copy_cuts_like_snprintf),
	    cmocka_unit_test(test_proto_jalloc_keeps_and_reuses_blocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
