/*
 * fuzz_proto.c: libFuzzer target for what larderd does with bytes from a
 * client before any handler runs: framing into lines, decoding each line
 * (JSON, envelope, the operation's argument table), then the argument
 * checks the handlers share (times, words, text, postcode districts).
 * Every line that is JSON is also written by jtext_json, which must write
 * what jansson's sorted compact dump writes: the exchange log's canonical
 * form.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "jtext.h"
#include "proto.h"
#include "valid.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Runs the shared checks on every argument the operation declares. */
static void
fuzz_args(const struct proto_request *req)
{
	const struct proto_field *f;
	char district[8];
	time_t t;
	json_t *v, *item;
	size_t i;

	for (f = req->op->fields; f->name != NULL; f++) {
		if ((v = proto_arg(req, f->name)) == NULL)
			continue;
		switch (f->type) {
		case PROTO_T_TIME:
			(void)proto_arg_time(req, f->name, &t);
			break;
		case PROTO_T_STRING:
			(void)valid_word(json_string_value(v));
			(void)valid_text(json_string_value(v));
			(void)valid_district(json_string_value(v), district,
			    sizeof district);
			break;
		case PROTO_T_LIST:
			json_array_foreach(v, i, item)
			{
				(void)valid_word(json_string_value(item));
				(void)valid_district(json_string_value(item),
				    district, sizeof district);
			}
			break;
		case PROTO_T_INT:
			(void)proto_arg_int(req, f->name, 0);
			break;
		case PROTO_T_BOOL:
			(void)proto_arg_bool(req, f->name, 0);
			break;
		}
	}
}

/* Aborts unless jtext_json writes the line's JSON as jansson does. */
static void
fuzz_canonical(const char *line, size_t len)
{
	struct jtext t = JTEXT_INIT;
	json_t *v = json_loadb(line, len, JSON_DECODE_ANY, NULL);
	char *want, *got;

	if (v == NULL)
		return;
	want = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	jtext_json(&t, v);
	got = jtext_end(&t);
	if (want == NULL || got == NULL || strcmp(want, got) != 0)
		abort();
	free(want);
	free(got);
	json_decref(v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct evbuffer *in = evbuffer_new();
	struct proto_request req;
	struct proto_fault fault;
	char *line, *reply;
	size_t len;

	if (in == NULL || evbuffer_add(in, data, size) != 0)
		abort();
	/* A small line limit, so that the fuzzer reaches it. */
	while (proto_frame_next(in, 1024, &line, &len) == 1) {
		fuzz_canonical(line, len);
		memset(&fault, 0, sizeof fault);
		if (proto_decode(line, len, &req, &fault) == 0) {
			fuzz_args(&req);
			reply = proto_reply_ok(req.id, NULL);
		} else {
			/* As the daemon answers: naming the id if usable. */
			reply = proto_reply_error(req.id, fault.code,
			    fault.message);
			proto_fault_clear(&fault);
		}
		proto_request_clear(&req);
		free(reply);
		free(line);
	}
	evbuffer_free(in);
	return 0;
}
