/* rules.h: the network's governed rules as named, typed values. */
#ifndef LARDER_RULES_H
#define LARDER_RULES_H

#include <stddef.h>

#include "engine.h"

/* One rule: its name, what it means, and how it is kept. */
struct rule {
	const char *key;
	const char *about;
	int (*parse)(const struct rule *, struct engine_rules *, const char *);
	void (*format)(const struct rule *, const struct engine_rules *, char *,
	    size_t);
	size_t offset;
	double min;
	double max;
};

const struct rule *rules_find(const char *);
const struct rule *rules_at(size_t);
int rules_parse(const char *, const char *, struct engine_rules *, char **);
void rules_format(const struct rule *, const struct engine_rules *, char *,
    size_t);

#endif
