/* h_waste.c: recording food lost, and the people members supported. */
#include <stdio.h>
#include <string.h>

#include "larderd.h"
#include "log.h"
#include "valid.h"

/* Where wasted food went (the Food Loss and Waste Standard's list). */
static const char *const destinations[] = {"compost", "anaerobic_digestion",
    "animal_feed", "landfill", "incineration", "sewer", "other", NULL};

/* Why food was wasted. */
static const char *const causes[] = {"unclaimed", "rejected", "spoiled",
    "past_date", "other", NULL};

static int
waste_in(const char *const *words, const char *word)
{
	for (; *words != NULL; words++) {
		if (strcmp(*words, word) == 0)
			return 1;
	}
	return 0;
}

/* Whether a word is a waste destination; offers name one as fallback. */
int
waste_destination_ok(const char *word)
{
	return waste_in(destinations, word);
}

/*
 * Records waste and logs it. Food from an offer is taken off what is left
 * of the offer, so it is neither offered again nor counted twice.
 */
int
waste_record(struct larderd *d, struct waste *w, const struct member *m,
    const char *actor)
{
	if (store_waste_insert(d->store, w) != 0)
		return -1;
	log_info("waste %lld: %lld g to %s (%s) by %s", (long long)w->id,
	    (long long)w->grams, w->destination, w->cause, m->handle);
	return exlog_append(d->log, w->at, "waste.recorded", actor,
	    json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:o}", "waste",
	        (json_int_t)w->id, "member", m->handle, "hub", m->hub, "grams",
	        (json_int_t)w->grams, "destination", w->destination, "cause",
	        w->cause, "offer",
	        w->offer > 0 ? json_integer(w->offer) : json_null()));
}

/* Takes waste from the member's own open offer, within what is left. */
static int
waste_from_offer(struct call *c, struct waste *w)
{
	const struct member *m = session_member(c->s);
	struct engine_offer *eo;
	struct offer o;
	int rc;

	if ((rc = store_offer_get(c->d->store, w->offer, &o)) != 1)
		return rc < 0 ? call_store_error(c)
		              : call_fail(c, PROTO_NOT_FOUND, "no offer %lld",
		                    (long long)w->offer);
	if (o.donor != m->id)
		return call_fail(c, PROTO_FORBIDDEN,
		    "offer %lld belongs to "
		    "%s",
		    (long long)o.id, o.donor_handle);
	eo = engine_offer_get(c->d->engine, o.id);
	if (o.state != OFFER_OPEN || eo == NULL || eo->free <= 0)
		return call_fail(c, PROTO_CONFLICT,
		    "offer %lld has no food "
		    "left that is not matched",
		    (long long)o.id);
	if (w->grams == 0)
		w->grams = eo->free;
	if (w->grams > eo->free)
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "offer %lld has "
		    "only %lld g not matched",
		    (long long)o.id, (long long)eo->free);
	eo->free -= w->grams;
	if (market_sync_offer(c->d, o.id, c->now) != 0) {
		c->d->engine_stale = 1;
		return call_store_error(c);
	}
	return 0;
}

int
h_waste_record(struct call *c)
{
	const struct member *m = session_member(c->s);
	const char *note = proto_arg_str(c->req, "note");
	struct waste w;

	memset(&w, 0, sizeof w);
	proto_copy(w.destination, sizeof w.destination,
	    proto_arg_str(c->req, "destination"));
	proto_copy(w.cause, sizeof w.cause, proto_arg_str(c->req, "cause"));
	if (!waste_in(destinations, w.destination))
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "destination \"%s\" "
		    "is not compost, anaerobic_digestion, animal_feed, "
		    "landfill, "
		    "incineration, sewer or other",
		    w.destination);
	if (!waste_in(causes, w.cause))
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "cause \"%s\" is not "
		    "unclaimed, rejected, spoiled, past_date or other",
		    w.cause);
	if (note != NULL && !valid_text(note))
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "note has control characters");
	proto_copy(w.note, sizeof w.note, note != NULL ? note : "");
	w.member = m->id;
	w.offer = proto_arg_int(c->req, "offer", 0);
	w.grams = proto_arg_int(c->req, "grams", 0);
	w.at = c->now;
	if (w.grams < 0 || w.grams > VALID_MAX_GRAMS ||
	    (w.offer <= 0 && w.grams == 0))
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "give grams from 1 "
		    "to %lld, or an offer",
		    VALID_MAX_GRAMS);
	if (w.offer > 0 && waste_from_offer(c, &w) != 0)
		return -1;
	if (waste_record(c->d, &w, m, call_actor(c)) != 0)
		return call_store_error(c);
	c->result = json_pack("{s:{s:I, s:s, s:o, s:I, s:s, s:s, s:s, s:o}}",
	    "waste", "id", (json_int_t)w.id, "member", m->handle, "offer",
	    w.offer > 0 ? json_integer(w.offer) : json_null(), "grams",
	    (json_int_t)w.grams, "destination", w.destination, "cause", w.cause,
	    "note", w.note, "at", proto_time_json(w.at));
	return 0;
}

/* The Monday 00:00 (daemon's time zone) that starts t's week. */
static time_t
fed_week(time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	tm.tm_mday -= (tm.tm_wday + 6) % 7;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

int
h_fed_report(struct call *c)
{
	const struct member *m = session_member(c->s);
	json_int_t people = proto_arg_int(c->req, "people", 0);
	time_t week = c->now;

	if (people < 0 || people > 1000000)
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "people must be from 0 to 1000000");
	proto_arg_time(c->req, "week", &week);
	week = fed_week(week);
	if (week > c->now)
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "that week has not started yet");
	if (store_people_report(c->d->store, m->id, week, people, c->now) !=
	        0 ||
	    exlog_append(c->d->log, c->now, "people.reported", call_actor(c),
	        json_pack("{s:s, s:s, s:o, s:I}", "member", m->handle, "hub",
	            m->hub, "week", proto_time_json(week), "people", people)) !=
	        0)
		return call_store_error(c);
	c->result = json_pack("{s:{s:s, s:o, s:I}}", "report", "member",
	    m->handle, "week", proto_time_json(week), "people", people);
	return 0;
}
