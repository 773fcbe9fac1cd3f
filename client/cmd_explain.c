/* cmd_explain.c: larder explain: why the allocation policy offered food
 * to the member it did. */
#include <stdio.h>
#include <stdlib.h>

#include "client.h"

/* Prints how far the offer's deadline was when the policy decided. */
static void
explain_deadline(json_t *secs)
{
	json_int_t s = json_integer_value(secs);
	json_int_t left = s < 0 ? -s : s;

	if (!json_is_integer(secs))
		return;
	printf("deadline %s%lldh %lldm%s\n", s < 0 ? "passed " : "in ",
	    (long long)(left / 3600), (long long)(left % 3600 / 60),
	    s < 0 ? " before" : "");
}

/* Prints the policy, why it chose, the deadline and the hub's turn. */
static void
explain_head(json_t *r)
{
	json_t *why = json_object_get(r, "why"), *hub;
	json_t *pct = json_object_get(r, "charge_pct");

	printf("policy %s%s%s\n",
	    json_string_value(json_object_get(r, "policy")),
	    json_is_string(why) ? ": " : "",
	    json_is_string(why) ? json_string_value(why) : "");
	explain_deadline(json_object_get(r, "seconds_to_deadline"));
	hub = json_object_get(r, "hub_only");
	if (json_is_boolean(hub))
		printf("%s\n",
		    json_is_true(hub)
		        ? "the offer was still with its hub: only members "
		          "of the donor's hub were weighed"
		        : "the offer was open to members of every hub");
	if (json_is_integer(pct))
		printf("charged at %lld%% of the grams\n",
		    (long long)json_integer_value(pct));
}

/* Prints the candidates the policy weighed, best first. */
static void
explain_candidates(json_t *r)
{
	json_t *list = json_object_get(r, "candidates"), *cand;
	json_t *total = json_object_get(r, "candidates_total");
	json_t *weighed = json_object_get(r, "candidates_weighed");
	char kg[32];
	size_t i;

	if (json_array_size(list) == 0)
		return;
	if (json_is_integer(total) &&
	    (size_t)json_integer_value(total) > json_array_size(list))
		printf("candidates (the first %zu of %lld):\n",
		    json_array_size(list),
		    (long long)json_integer_value(total));
	else if (json_is_integer(weighed))
		printf("candidates (the first %zu of %lld weighed; every "
		       "other member was less far behind its share):\n",
		    json_array_size(list),
		    (long long)json_integer_value(weighed));
	else
		printf("candidates:\n");
	printf("  %4s  %-16s %7s %7s %12s\n", "RANK", "MEMBER", "REQUEST",
	    "SHARE", "BALANCE");
	json_array_foreach(list, i, cand)
	{
		printf("  %4lld  %-16s %7lld %6.1f%% %12s\n",
		    (long long)json_integer_value(
		        json_object_get(cand, "rank")),
		    json_string_value(json_object_get(cand, "member")),
		    (long long)json_integer_value(
		        json_object_get(cand, "request")),
		    json_number_value(json_object_get(cand, "share")) * 100.0,
		    out_kg(json_integer_value(json_object_get(cand, "balance")),
		        kg, sizeof kg));
	}
}

/* Prints how the offer was split and the seed that broke ties. */
static void
explain_split(json_t *r)
{
	json_t *split = json_object_get(r, "split"), *part;
	json_t *seed = json_object_get(r, "seed");
	char kg[32];
	size_t i;

	if (json_array_size(split) > 0) {
		printf("split:");
		json_array_foreach(split, i, part)
		{
			printf("%s %s: %s", i > 0 ? "," : "",
			    json_string_value(json_object_get(part, "member")),
			    out_kg(json_integer_value(
			               json_object_get(part, "grams")),
			        kg, sizeof kg));
		}
		printf("\n");
	}
	if (json_is_string(seed))
		printf("seed %s\n", json_string_value(seed));
	else if (json_is_integer(seed))
		printf("seed %lld\n", (long long)json_integer_value(seed));
}

/* Shows a match and, readably, the reason its policy recorded. */
int
cmd_explain(struct client *c, int argc, char **argv)
{
	static const struct match_op mo = {"match.explain", "match", 0};
	json_t *res, *reason;
	int rc;

	if ((res = match_call(c, argc, argv, &mo, &rc)) == NULL)
		return rc;
	if (c->opts.json)
		return 0;
	match_summary(json_object_get(res, "match"));
	reason = json_object_get(res, "reason");
	if (!json_is_object(reason)) {
		printf("no reason was recorded for this match\n");
		return 0;
	}
	explain_head(reason);
	explain_candidates(reason);
	explain_split(reason);
	return 0;
}
