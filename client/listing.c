/*
 * listing.c: the shapes many commands share: a listing paged through to
 * its end, with boolean filters, and an operation on one thing by its id.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "client.h"

/*
 * Reads a listing's boolean filters (each a long option whose name is
 * sent as true) into args; anything else is a usage error.
 */
static int
listing_args(const struct listing *l, int argc, char **argv, json_t *args)
{
	struct option longs[4];
	size_t i, n = 0;
	int ch;

	for (i = 0; i < 3 && l->filters[i] != NULL; i++, n++) {
		longs[n].name = l->filters[i];
		longs[n].has_arg = no_argument;
		longs[n].flag = NULL;
		longs[n].val = (int)i + 1;
	}
	memset(&longs[n], 0, sizeof longs[n]);
	while ((ch = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		if (ch < 1 || ch > (int)n)
			return out_usage(command_current(), "unknown option");
		json_object_set_new(args, l->filters[ch - 1], json_true());
	}
	if (optind != argc)
		return out_usage(command_current(), "unexpected \"%s\"",
		    argv[optind]);
	return 0;
}

/* Fetches every page of a listing, printing each row. */
static int
listing_pages(struct client *c, const struct listing *l, json_t *args)
{
	json_t *res, *page, *item;
	json_int_t after = 0;
	size_t i;

	do {
		page = json_deep_copy(args);
		json_object_set_new(page, "after", json_integer(after));
		if ((res = client_call(c, l->op, page)) == NULL)
			return EXIT_FAIL;
		json_array_foreach(json_object_get(res, l->key), i, item)
		{
			if (!c->opts.json)
				l->row(item);
		}
		after = json_integer_value(json_object_get(res, "next"));
	} while (after > 0);
	return 0;
}

/* Runs a listing command: its filters, a header, then every row. */
int
listing_run(struct client *c, const struct listing *l, int argc, char **argv)
{
	json_t *args = json_object();
	int rc;

	if ((rc = listing_args(l, argc, argv, args)) == 0) {
		if (!c->opts.json)
			l->header();
		rc = listing_pages(c, l, args);
	}
	json_decref(args);
	return rc;
}

/*
 * Runs an operation on one thing named by the command's one argument, an
 * id sent as arg, and prints the reply's key with print.
 */
int
single_run(struct client *c, int argc, char **argv, const struct single *s)
{
	json_int_t id;
	json_t *res;

	if (argc != 2)
		return out_usage(command_current(), "name exactly one ID");
	if (parse_id(command_current(), argv[1], &id) != 0)
		return EXIT_USAGE;
	if ((res = client_call(c, s->op, json_pack("{s:I}", s->arg, id))) ==
	    NULL)
		return EXIT_FAIL;
	if (!c->opts.json)
		s->print(json_object_get(res, s->key));
	return 0;
}
