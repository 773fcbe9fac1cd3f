/*
 * rules.c: the allocation rules a network governs, each with a name, a
 * range and a text form, so they can be kept in the database, shown to
 * members and checked the same way wherever a new value comes from.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "rules.h"

#define RULE(f) offsetof(struct engine_rules, f)

static int rule_parse_policy(const struct rule *, struct engine_rules *,
    const char *);
static int rule_parse_double(const struct rule *, struct engine_rules *,
    const char *);
static int rule_parse_long(const struct rule *, struct engine_rules *,
    const char *);
static int rule_parse_int(const struct rule *, struct engine_rules *,
    const char *);
static int rule_parse_seed(const struct rule *, struct engine_rules *,
    const char *);
static void rule_format_policy(const struct rule *, const struct engine_rules *,
    char *, size_t);
static void rule_format_double(const struct rule *, const struct engine_rules *,
    char *, size_t);
static void rule_format_long(const struct rule *, const struct engine_rules *,
    char *, size_t);
static void rule_format_int(const struct rule *, const struct engine_rules *,
    char *, size_t);
static void rule_format_seed(const struct rule *, const struct engine_rules *,
    char *, size_t);

/* clang-format off */
static const struct rule rules[] = {
	{ "policy", "how offers are shared: fairshare, fcfs or lottery",
	    rule_parse_policy, rule_format_policy, 0, 0, 0 },
	{ "beta", "weight of contribution in a member's share",
	    rule_parse_double, rule_format_double, RULE(beta), 0, 1 },
	{ "cap", "a share is at most this many times the share by need",
	    rule_parse_double, rule_format_double, RULE(cap), 1, 10 },
	{ "hub_first", "seconds an offer stays with the donor's hub",
	    rule_parse_long, rule_format_long, RULE(hub_first), 0, 604800 },
	{ "respond_min", "least seconds to answer a proposal",
	    rule_parse_long, rule_format_long, RULE(respond_min), 60, 86400 },
	{ "respond_max", "most seconds to answer a proposal",
	    rule_parse_long, rule_format_long, RULE(respond_max), 60, 604800 },
	{ "flash_after", "failed proposals before an offer is open to all",
	    rule_parse_int, rule_format_int, RULE(flash_after), 1, 100 },
	{ "flash_window", "seconds before the deadline an offer is open to all",
	    rule_parse_long, rule_format_long, RULE(flash_window), 0, 604800 },
	{ "flash_charge", "per cent of a claim booked on the ledger",
	    rule_parse_int, rule_format_int, RULE(flash_charge), 0, 100 },
	{ "ledger_cap", "grams a balance may be ahead or behind",
	    rule_parse_long, rule_format_long, RULE(ledger_cap), 1000,
	    100000000 },
	{ "ledger_decay", "per cent of each balance kept every week",
	    rule_parse_int, rule_format_int, RULE(ledger_decay), 0, 100 },
	{ "margin", "seconds before a use-by date food must be handed over",
	    rule_parse_long, rule_format_long, RULE(margin), 0, 604800 },
	{ "seed", "the network's seed for breaking ties, in hex",
	    rule_parse_seed, rule_format_seed, RULE(seed), 0, 0 },
	{ "quorum", "per cent of members who must vote on a proposal",
	    rule_parse_int, rule_format_int, RULE(quorum), 0, 100 },
	{ "majority", "per cent of the yes and no votes that yes must beat",
	    rule_parse_int, rule_format_int, RULE(majority), 0, 99 },
	{ "vote_period", "seconds a proposal stays open by default",
	    rule_parse_long, rule_format_long, RULE(vote_period), 3600,
	    2592000 },
	{ "sanction_window", "days a no-show counts against a member",
	    rule_parse_int, rule_format_int, RULE(sanction_window), 1, 365 },
	{ "sanction_warning", "no-shows in the window that bring a warning",
	    rule_parse_int, rule_format_int, RULE(sanction_warning), 1, 100 },
	{ "sanction_restricted", "no-shows in the window that restrict",
	    rule_parse_int, rule_format_int, RULE(sanction_restricted), 1,
	    100 },
	{ "sanction_suspended", "no-shows in the window that suspend",
	    rule_parse_int, rule_format_int, RULE(sanction_suspended), 1,
	    100 },
	{ "sanction_clean_days", "clean days from a warning back to good",
	    rule_parse_int, rule_format_int, RULE(sanction_clean_days), 1,
	    365 },
	{ "sanction_restrict_days", "clean days from restricted to warning",
	    rule_parse_int, rule_format_int, RULE(sanction_restrict_days), 1,
	    365 },
	{ "dispute_days", "days the other side has to answer a dispute",
	    rule_parse_int, rule_format_int, RULE(dispute_days), 1, 60 },
};
/* clang-format on */

static void *
rule_field(const struct rule *r, struct engine_rules *er)
{
	return (char *)er + r->offset;
}

static const void *
rule_cfield(const struct rule *r, const struct engine_rules *er)
{
	return (const char *)er + r->offset;
}

static int
rule_parse_policy(const struct rule *r, struct engine_rules *er, const char *v)
{
	(void)r;
	if (engine_policy_find(v) == NULL)
		return -1;
	proto_copy(er->policy, sizeof er->policy, v);
	return 0;
}

/* Reads a whole number within the rule's range. */
static int
rule_number(const struct rule *r, const char *v, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno == ERANGE ||
	    (double)*out < r->min || (double)*out > r->max)
		return -1;
	return 0;
}

static int
rule_parse_long(const struct rule *r, struct engine_rules *er, const char *v)
{
	long long n;

	if (rule_number(r, v, &n) != 0)
		return -1;
	*(int64_t *)rule_field(r, er) = n;
	return 0;
}

static int
rule_parse_int(const struct rule *r, struct engine_rules *er, const char *v)
{
	long long n;

	if (rule_number(r, v, &n) != 0)
		return -1;
	*(int *)rule_field(r, er) = (int)n;
	return 0;
}

static int
rule_parse_double(const struct rule *r, struct engine_rules *er, const char *v)
{
	char *end;
	double n;

	errno = 0;
	n = strtod(v, &end);
	if (*v == '\0' || *end != '\0' || errno == ERANGE ||
	    !(n >= r->min && n <= r->max))
		return -1;
	*(double *)rule_field(r, er) = n;
	return 0;
}

static int
rule_parse_seed(const struct rule *r, struct engine_rules *er, const char *v)
{
	char *end;

	errno = 0;
	*(uint64_t *)rule_field(r, er) = strtoull(v, &end, 16);
	return *v == '\0' || *end != '\0' || errno == ERANGE ? -1 : 0;
}

static void
rule_format_policy(const struct rule *r, const struct engine_rules *er,
    char *buf, size_t len)
{
	(void)r;
	snprintf(buf, len, "%s", er->policy);
}

static void
rule_format_double(const struct rule *r, const struct engine_rules *er,
    char *buf, size_t len)
{
	snprintf(buf, len, "%g", *(const double *)rule_cfield(r, er));
}

static void
rule_format_long(const struct rule *r, const struct engine_rules *er, char *buf,
    size_t len)
{
	snprintf(buf, len, "%" PRId64, *(const int64_t *)rule_cfield(r, er));
}

static void
rule_format_int(const struct rule *r, const struct engine_rules *er, char *buf,
    size_t len)
{
	snprintf(buf, len, "%d", *(const int *)rule_cfield(r, er));
}

static void
rule_format_seed(const struct rule *r, const struct engine_rules *er, char *buf,
    size_t len)
{
	snprintf(buf, len, "%016" PRIx64,
	    *(const uint64_t *)rule_cfield(r, er));
}

/* Finds a rule by name. */
const struct rule *
rules_find(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		if (strcmp(rules[i].key, key) == 0)
			return &rules[i];
	}
	return NULL;
}

/* Returns the i-th rule, NULL past the last. */
const struct rule *
rules_at(size_t i)
{
	return i < sizeof rules / sizeof rules[0] ? &rules[i] : NULL;
}

/* Sets one rule from its text form, saying what is allowed when not. */
int
rules_parse(const char *key, const char *value, struct engine_rules *er,
    char **cause)
{
	const struct rule *r = rules_find(key);

	if (r == NULL)
		return asprintf(cause, "no rule \"%s\"", key), -1;
	if (r->parse(r, er, value) == 0)
		return 0;
	if (r->max > r->min)
		return asprintf(cause,
		           "rule %s must be from %g to %g, not "
		           "\"%s\"",
		           key, r->min, r->max, value),
		       -1;
	return asprintf(cause, "rule %s: \"%s\" is not %s", key, value,
	           r->about),
	       -1;
}

/* Writes a rule's value in its text form. */
void
rules_format(const struct rule *r, const struct engine_rules *er, char *buf,
    size_t len)
{
	r->format(r, er, buf, len);
}
