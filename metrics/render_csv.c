/* render_csv.c: the report as RFC 4180 CSV, one row per member and one
 * for the network, for a funder's spreadsheet. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "render.h"
#include "render_impl.h"

/* A figure column: its key in a member, and in the network's figures. */
struct csv_column {
	const char *member_key;
	const char *network_key; /* NULL: left empty on the network row */
};

/* The columns after period, member and hub, in REPORT.md's order. */
static const struct csv_column csv_columns[] = {
    {"people_supported", "people_supported"},
    {"given_g", "redistributed_g"},
    {"received_g", "redistributed_g"},
    {"sourced_g", "sourced_g"},
    {"wasted_g", "wasted_g"},
    {"matches", "matches"},
    {"collections", "collections"},
    {"no_shows", "no_shows"},
    {"net_g", NULL},
};

#define CSV_NCOLUMNS (sizeof csv_columns / sizeof csv_columns[0])

/*
 * Writes a text field, quoted when it holds a comma, quote or line break.
 * A field a spreadsheet would take for a formula (=, +, -, @ first) gets
 * a leading apostrophe, so that opening the file runs nothing.
 */
static void
csv_text(FILE *out, const char *s, int first)
{
	int formula = strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0';

	if (!first)
		fputc(',', out);
	if (!formula && strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	if (formula)
		fputc('\'', out);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

/* Writes a number field: integers as they are, reals shortest, else empty. */
static void
csv_number(FILE *out, const json_t *obj, const char *key)
{
	const json_t *v = render_get(obj, key);

	fputc(',', out);
	if (json_is_integer(v))
		fprintf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		fprintf(out, "%.15g", json_real_value(v));
}

/* Writes the header row. */
static void
csv_header(FILE *out)
{
	size_t i;

	fputs("period,member,hub", out);
	for (i = 0; i < CSV_NCOLUMNS; i++)
		fprintf(out, ",%s", csv_columns[i].member_key);
	fputs("\r\n", out);
}

/* Writes one member's row. */
static void
csv_member(FILE *out, const char *label, const json_t *m)
{
	const char *member = render_str(m, "member");
	const char *hub = render_str(m, "hub");
	size_t i;

	csv_text(out, label, 1);
	csv_text(out, member != NULL ? member : "", 0);
	csv_text(out, hub != NULL ? hub : "", 0);
	for (i = 0; i < CSV_NCOLUMNS; i++)
		csv_number(out, m, csv_columns[i].member_key);
	fputs("\r\n", out);
}

/* Writes the network's row: its figures in the columns they match. */
static void
csv_network(FILE *out, const char *label, const json_t *report)
{
	const json_t *figures = render_get(report, "figures");
	const char *hub = render_str(report, "hub");
	size_t i;

	csv_text(out, label, 1);
	csv_text(out, "(network)", 0);
	csv_text(out, hub != NULL ? hub : "", 0);
	for (i = 0; i < CSV_NCOLUMNS; i++) {
		if (csv_columns[i].network_key == NULL)
			fputc(',', out);
		else
			csv_number(out, figures, csv_columns[i].network_key);
	}
	fputs("\r\n", out);
}

/* Writes the report as CSV. */
int
render_csv(const json_t *report, FILE *out)
{
	const json_t *members = render_check(report);
	const char *label;
	size_t i;

	if (members == NULL)
		return -1;
	label = render_str(render_get(report, "period"), "label");
	csv_header(out);
	for (i = 0; i < json_array_size(members); i++)
		csv_member(out, label, json_array_get(members, i));
	csv_network(out, label, report);
	return render_finish(out);
}
