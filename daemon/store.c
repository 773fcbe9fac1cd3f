/*
 * store.c: larderd's SQLite database. All SQL lives here, as prepared
 * statements with bound parameters. Lookups return 1 when a row was found,
 * 0 when none was, -1 on error; everything else returns 0 or -1.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "digest.h"
#include "idmap.h"
#include "store.h"

#define MEMBER_COLS                                                            \
	"id, handle, name, hub, coordinator, storage, people, catchment, "     \
	"standing, joined, balance"
#define OFFER_COLS                                                             \
	"o.id, o.donor, m.handle, o.category, o.storage, o.date_type, "        \
	"o.date, o.grams, o.remaining, o.min_portion, o.divisible, "           \
	"o.window_start, o.window_end, o.hub, o.note, o.state, o.posted, "     \
	"o.deadline, o.fallback, o.flash"
#define ALLOC_COLS                                                             \
	"a.id, a.offer, a.request, a.member, o.donor, m.handle, d.handle, "    \
	"o.category, o.hub, o.storage, a.grams, a.charge, a.state, a.flash, "  \
	"a.respond_by, a.created, a.decided, a.collected_grams, "              \
	"a.donor_confirmed, a.member_confirmed, o.window_start, o.window_end"
#define ALLOC_FROM                                                             \
	" FROM allocations a JOIN offers o ON o.id = a.offer "                 \
	"JOIN members m ON m.id = a.member JOIN members d ON d.id = o.donor "
#define PROPOSAL_JSON                                                          \
	"json_object('id', p.id, 'kind', p.kind, 'key', p.key, 'value', "      \
	"p.value, 'member', p.member, 'why', p.why, 'by', p.by, 'opened', "    \
	"p.opened, 'closes', p.closes, 'state', p.state, 'closed', p.closed, " \
	"'members', p.members, 'yes', (SELECT count(*) FROM votes v WHERE "    \
	"v.proposal = p.id AND v.choice = 0), 'no', (SELECT count(*) FROM "    \
	"votes v WHERE v.proposal = p.id AND v.choice = 1), 'abstain', "       \
	"(SELECT count(*) FROM votes v WHERE v.proposal = p.id AND "           \
	"v.choice = 2), 'admit', CASE p.admit WHEN '' THEN NULL ELSE "         \
	"json(p.admit) END, 'not_applied', NULLIF(p.not_applied, ''))"
#define CHALLENGE_JSON                                                         \
	"json_object('id', c.id, 'title', c.title, 'by', c.by, 'opened', "     \
	"c.opened, 'state', c.state, 'closed', c.closed, 'offers', (SELECT "   \
	"count(*) FROM offers WHERE challenge = c.id AND challenge != 0), "    \
	"'requests', (SELECT count(*) FROM requests WHERE challenge = c.id "   \
	"AND challenge != 0))"
#define DISPUTE_JSON                                                           \
	"json_object('id', x.id, 'match', x.allocation, 'reason', x.reason, "  \
	"'grams', x.grams, 'note', x.note, 'by', (SELECT handle FROM members " \
	"WHERE id = x.by), 'against', (SELECT handle FROM members WHERE id = " \
	"x.against), 'by_id', x.by, 'against_id', x.against, 'state', "        \
	"x.state, 'outcome', x.outcome, 'raised', x.raised, 'respond_by', "    \
	"x.respond_by, 'settled', x.settled)"
/*
 * The facts kept beside each event (schema 8): what the metrics core reads
 * of it (struct metrics_facts), as typed columns written with the event,
 * so that a report from the database reads plain columns instead of
 * parsing every body. Names are TEXT, numbers INTEGER and times epoch
 * seconds, NULL when the event lacks them. Events whose facts are nested
 * (ledger.balances, referral.made) are still read from their body. The
 * hash chain covers the body alone; these columns are derived from it.
 */
#define EVENT_FACT_COLS                                                        \
	"kind, member, donor, hub, destination, cause, how, week, raised, "    \
	"grams, offer, allocation, people, challenge, reverses_no_show, "      \
	"resolved"
#define REQUEST_COLS                                                           \
	"r.id, r.member, m.handle, r.categories, r.storage, r.grams, "         \
	"r.received, r.window_start, r.window_end, r.standing, r.note, "       \
	"r.state, r.posted"

enum stmt {
	S_BEGIN,
	S_COMMIT,
	S_ROLLBACK,
	S_SAVEPOINT,
	S_RELEASE,
	S_ROLLBACK_TO,
	S_MEMBER_INSERT,
	S_MEMBER_BY_HANDLE,
	S_MEMBER_BY_TOKEN,
	S_MEMBER_LIST,
	S_MEMBER_COUNT,
	S_OFFER_INSERT,
	S_OFFER_GET,
	S_OFFER_SET_STATE,
	S_OFFER_STATE,
	S_OFFER_LIST,
	S_OFFER_DUE,
	S_OFFER_COUNT_OPEN,
	S_REQUEST_INSERT,
	S_REQUEST_GET,
	S_REQUEST_SET_STATE,
	S_REQUEST_STATE,
	S_REQUEST_LIST,
	S_REQUEST_DUE,
	S_REQUEST_COUNT_OPEN,
	S_MEMBER_SET_BALANCE,
	S_OFFER_SET_REMAINING,
	S_OFFER_SET_FLASH,
	S_REQUEST_ADD_RECEIVED,
	S_REQUEST_HELD,
	S_CONTRIBUTIONS,
	S_ALLOC_INSERT,
	S_ALLOC_GET,
	S_ALLOC_UPDATE,
	S_ALLOC_FIND,
	S_ALLOC_LIST,
	S_ALLOC_LIST_MEMBER,
	S_ALLOC_OPEN_OFFERS,
	S_ALLOC_BY_OFFER,
	S_ALLOC_BY_REQUEST,
	S_ALLOC_REASON,
	S_WASTE_INSERT,
	S_PEOPLE_REPORT,
	S_RULE_SET,
	S_RULES,
	S_META_GET,
	S_META_SET,
	S_EVENT_INSERT,
	S_EVENT_LAST,
	S_EVENT_SCAN,
	S_EVENT_COUNT,
	S_EVENT_FIRST_AT,
	S_EVENT_FACTS,
	S_PROPOSAL_INSERT,
	S_PROPOSAL_JSON,
	S_PROPOSAL_LIST,
	S_PROPOSAL_DUE,
	S_PROPOSAL_CLOSE,
	S_PROPOSAL_ADMITTING,
	S_VOTE,
	S_VOTED,
	S_DISPUTE_INSERT,
	S_DISPUTE_JSON,
	S_DISPUTE_LIST,
	S_DISPUTE_SETTLE,
	S_MEMBER_SET_STANDING,
	S_NOSHOWS_SINCE,
	S_STANDINGS_DUE,
	S_MEMBERS_COVERING,
	S_RULES_JSON,
	S_VOTER_COUNT,
	S_MEMBER_BY_ID,
	S_CHALLENGE_INSERT,
	S_CHALLENGE_JSON,
	S_CHALLENGE_LIST,
	S_CHALLENGE_CLOSE,
	S_OFFER_CHALLENGE,
	S_REQUEST_CHALLENGE,
	S_ALLOC_CHALLENGE,
	S_KEY_GET,
	S_KEY_PUT,
	S_MEMBER_SET_TOKEN,
	S_OFFERS_OPEN_BY_DONOR,
	S_REQUESTS_OPEN_BY_MEMBER,
	S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
    [S_BEGIN] = "BEGIN",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
    [S_SAVEPOINT] = "SAVEPOINT step",
    [S_RELEASE] = "RELEASE step",
    [S_ROLLBACK_TO] = "ROLLBACK TO step",
    [S_MEMBER_INSERT] =
        "INSERT INTO members (handle, name, hub, "
        "coordinator, storage, people, catchment, standing, token_hash, "
        "joined) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [S_MEMBER_BY_HANDLE] = "SELECT " MEMBER_COLS " FROM members "
                           "WHERE handle = ?",
    [S_MEMBER_BY_TOKEN] = "SELECT " MEMBER_COLS ", token_hash "
                          "FROM members WHERE token_hash = ?",
    [S_MEMBER_LIST] = "SELECT " MEMBER_COLS " FROM members "
                      "WHERE id > ? ORDER BY id LIMIT ?",
    [S_MEMBER_COUNT] = "SELECT count(*) FROM members",
    [S_OFFER_INSERT] =
        "INSERT INTO offers (donor, category, storage, "
        "date_type, date, grams, remaining, min_portion, divisible, "
        "window_start, window_end, hub, note, state, posted, deadline, "
        "fallback) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?)",
    [S_OFFER_GET] = "SELECT " OFFER_COLS " FROM offers o "
                    "JOIN members m ON m.id = o.donor WHERE o.id = ?",
    [S_OFFER_SET_STATE] = "UPDATE offers SET state = ? WHERE id = ?",
    [S_OFFER_STATE] = "SELECT state, donor FROM offers WHERE id = ?",
    [S_OFFER_LIST] = "SELECT " OFFER_COLS " FROM offers o "
                     "JOIN members m ON m.id = o.donor WHERE o.id > ?1 "
                     "AND (?2 = 0 OR o.donor = ?2) AND (?3 = 0 OR o.state = 0) "
                     "ORDER BY o.id LIMIT ?4",
    [S_OFFER_DUE] = "SELECT " OFFER_COLS " FROM offers o "
                    "JOIN members m ON m.id = o.donor WHERE o.state = 0 AND "
                    "o.deadline <= ? ORDER BY o.id LIMIT ?",
    [S_OFFER_COUNT_OPEN] = "SELECT count(*) FROM offers WHERE state = 0",
    [S_REQUEST_INSERT] =
        "INSERT INTO requests (member, categories, "
        "storage, grams, received, window_start, window_end, standing, "
        "note, state, posted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [S_REQUEST_GET] = "SELECT " REQUEST_COLS " FROM requests r "
                      "JOIN members m ON m.id = r.member WHERE r.id = ?",
    [S_REQUEST_SET_STATE] = "UPDATE requests SET state = ? WHERE id = ?",
    [S_REQUEST_STATE] = "SELECT state, member FROM requests WHERE id = ?",
    [S_REQUEST_LIST] =
        "SELECT " REQUEST_COLS " FROM requests r "
        "JOIN members m ON m.id = r.member WHERE r.id > ?1 "
        "AND (?2 = 0 OR r.member = ?2) AND (?3 = 0 OR r.state = 0) "
        "ORDER BY r.id LIMIT ?4",
    [S_REQUEST_DUE] = "SELECT " REQUEST_COLS " FROM requests r "
                      "JOIN members m ON m.id = r.member WHERE r.state = 0 AND "
                      "r.window_end <= ? ORDER BY r.id LIMIT ?",
    [S_REQUEST_COUNT_OPEN] = "SELECT count(*) FROM requests WHERE state = 0",
    [S_MEMBER_SET_BALANCE] = "UPDATE members SET balance = ? WHERE id = ?",
    [S_OFFER_SET_REMAINING] = "UPDATE offers SET remaining = ? WHERE id = ?",
    [S_OFFER_SET_FLASH] = "UPDATE offers SET flash = 1 WHERE id = ?",
    [S_REQUEST_ADD_RECEIVED] =
        "UPDATE requests SET received = received + ? WHERE id = ?",
    [S_REQUEST_HELD] = "SELECT coalesce(sum(grams), 0) FROM allocations "
                       "WHERE request = ? AND state IN (0, 1)",
    [S_CONTRIBUTIONS] =
        "SELECT o.donor, sum(a.collected_grams) FROM allocations a "
        "JOIN offers o ON o.id = a.offer WHERE a.state = 4 "
        "AND a.decided >= ? GROUP BY o.donor",
    [S_ALLOC_INSERT] =
        "INSERT INTO allocations (offer, request, member, grams, charge, "
        "state, flash, respond_by, created, decided, reason, donor) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "(SELECT donor FROM offers WHERE id = ?1))",
    [S_ALLOC_GET] = "SELECT " ALLOC_COLS ALLOC_FROM "WHERE a.id = ?",
    [S_ALLOC_UPDATE] =
        "UPDATE allocations SET state = ?, decided = ?, "
        "collected_grams = ?, donor_confirmed = ?, member_confirmed = ? "
        "WHERE id = ?",
    [S_ALLOC_FIND] = "SELECT " ALLOC_COLS ALLOC_FROM
                     "WHERE a.offer = ? AND a.member = ? AND a.state = ? "
                     "ORDER BY a.id DESC LIMIT 1",
    [S_ALLOC_LIST] = "SELECT " ALLOC_COLS ALLOC_FROM
                     "WHERE a.id > ?1 AND (?2 = 0 OR a.member = ?2 OR "
                     "o.donor = ?2) AND (?3 = 0 OR a.state IN (0, 1)) "
                     "ORDER BY a.id LIMIT ?4",
    /*
     * One member's, as receiver or donor: each side through its index,
     * in order, no further than the page it could fill.
     */
    [S_ALLOC_LIST_MEMBER] =
        "SELECT " ALLOC_COLS ALLOC_FROM "WHERE a.id IN ("
        "SELECT id FROM (SELECT id FROM allocations WHERE member = ?2 "
        "AND id > ?1 AND (?3 = 0 OR state IN (0, 1)) ORDER BY id LIMIT ?4) "
        "UNION ALL SELECT id FROM (SELECT id FROM allocations "
        "WHERE donor = ?2 AND id > ?1 AND (?3 = 0 OR state IN (0, 1)) "
        "ORDER BY id LIMIT ?4)) ORDER BY a.id LIMIT ?4",
    [S_ALLOC_OPEN_OFFERS] =
        "SELECT " ALLOC_COLS ALLOC_FROM "WHERE o.state = 0 ORDER BY a.id",
    [S_ALLOC_BY_OFFER] =
        "SELECT " ALLOC_COLS ALLOC_FROM "WHERE a.offer = ? ORDER BY a.id",
    [S_ALLOC_BY_REQUEST] =
        "SELECT " ALLOC_COLS ALLOC_FROM "WHERE a.request = ? ORDER BY a.id",
    [S_ALLOC_REASON] = "SELECT reason FROM allocations WHERE id = ?",
    [S_WASTE_INSERT] =
        "INSERT INTO waste (member, offer, grams, destination, cause, note, "
        "at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    [S_PEOPLE_REPORT] =
        "INSERT INTO people (member, week, people, at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (member, week) DO UPDATE SET people = excluded.people, "
        "at = excluded.at",
    [S_RULE_SET] = "INSERT INTO rules (key, value, changed, decision) "
                   "VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
                   "value = excluded.value, changed = excluded.changed, "
                   "decision = excluded.decision",
    [S_RULES] = "SELECT key, value FROM rules ORDER BY key",
    [S_META_GET] = "SELECT value FROM meta WHERE key = ?",
    [S_META_SET] = "INSERT INTO meta (key, value) VALUES (?, ?) "
                   "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    [S_EVENT_INSERT] =
        "INSERT INTO events (seq, at, body, prev, hash, " EVENT_FACT_COLS
        ") VALUES (?, ?, ?, ?, ?, "
        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [S_EVENT_LAST] = "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1",
    [S_EVENT_SCAN] = "SELECT seq, at, body, prev, hash FROM events "
                     "WHERE seq > ? ORDER BY seq LIMIT ?",
    [S_EVENT_COUNT] = "SELECT count(*) FROM events",
    [S_EVENT_FIRST_AT] = "SELECT at FROM events ORDER BY seq LIMIT 1",
    [S_EVENT_FACTS] = "SELECT seq, at, body, " EVENT_FACT_COLS
                      " FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
    [S_PROPOSAL_INSERT] =
        "INSERT INTO proposals (kind, key, value, member, admit, why, by, "
        "opened, closes, members) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [S_PROPOSAL_JSON] = "SELECT " PROPOSAL_JSON " FROM proposals p "
                        "WHERE p.id = ?",
    [S_PROPOSAL_LIST] = "SELECT " PROPOSAL_JSON " FROM proposals p "
                        "WHERE p.id > ?1 AND (?2 = 0 OR p.state = 0) "
                        "ORDER BY p.id LIMIT ?3",
    [S_PROPOSAL_DUE] = "SELECT " PROPOSAL_JSON " FROM proposals p "
                       "WHERE p.state = 0 AND p.closes <= ? ORDER BY p.id",
    [S_PROPOSAL_CLOSE] =
        "UPDATE proposals SET state = ?, closed = ?, not_applied = ? "
        "WHERE id = ?",
    [S_PROPOSAL_ADMITTING] = "SELECT id FROM proposals WHERE kind = 'admit' "
                             "AND state = 0 AND member = ? LIMIT 1",
    [S_VOTE] = "INSERT INTO votes (proposal, member, choice, at) "
               "VALUES (?, ?, ?, ?)",
    [S_VOTED] = "SELECT count(*) FROM votes WHERE proposal = ? "
                "AND member = ?",
    [S_DISPUTE_INSERT] =
        "INSERT INTO disputes (allocation, by, against, reason, grams, "
        "note, raised, respond_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    [S_DISPUTE_JSON] = "SELECT " DISPUTE_JSON " FROM disputes x "
                       "WHERE x.id = ?",
    [S_DISPUTE_LIST] = "SELECT " DISPUTE_JSON " FROM disputes x "
                       "WHERE x.id > ?1 AND (?2 = 0 OR x.by = ?2 OR "
                       "x.against = ?2) AND (?3 = 0 OR x.state IN (0, 2)) "
                       "ORDER BY x.id LIMIT ?4",
    [S_DISPUTE_SETTLE] = "UPDATE disputes SET state = ?, outcome = ?, "
                         "settled = ? WHERE id = ?",
    [S_MEMBER_SET_STANDING] =
        "UPDATE members SET standing = ?, standing_since = ? WHERE id = ?",
    [S_NOSHOWS_SINCE] = "SELECT count(*) FROM allocations "
                        "WHERE member = ? AND state = 5 AND decided >= ?",
    [S_STANDINGS_DUE] =
        "SELECT json_object('id', id, 'handle', handle, 'standing', "
        "standing, 'since', standing_since) FROM members "
        "WHERE standing IN ('warning', 'restricted')",
    [S_MEMBERS_COVERING] =
        "SELECT json_object('handle', handle, 'name', name, 'hub', hub) "
        "FROM members WHERE ',' || catchment || ',' LIKE "
        "'%,' || ? || ',%' ORDER BY handle",
    [S_VOTER_COUNT] =
        "SELECT count(*) FROM members WHERE standing != 'suspended'",
    [S_MEMBER_BY_ID] = "SELECT " MEMBER_COLS " FROM members WHERE id = ?",
    [S_CHALLENGE_INSERT] = "INSERT INTO challenges (title, by, opened) "
                           "VALUES (?, ?, ?)",
    [S_CHALLENGE_JSON] = "SELECT " CHALLENGE_JSON " FROM challenges c "
                         "WHERE c.id = ?",
    [S_CHALLENGE_LIST] = "SELECT " CHALLENGE_JSON " FROM challenges c "
                         "WHERE c.id > ?1 AND (?2 = 0 OR c.state = 0) "
                         "ORDER BY c.id LIMIT ?3",
    [S_CHALLENGE_CLOSE] =
        "UPDATE challenges SET state = ?, closed = ? WHERE id = ?",
    [S_OFFER_CHALLENGE] = "UPDATE offers SET challenge = ? WHERE id = ?",
    [S_REQUEST_CHALLENGE] = "UPDATE requests SET challenge = ? WHERE id = ?",
    [S_ALLOC_CHALLENGE] = "UPDATE allocations SET challenge = ? WHERE id = ?",
    [S_KEY_GET] = "SELECT op, result FROM request_keys WHERE member = ? "
                  "AND key = ?",
    [S_KEY_PUT] = "INSERT INTO request_keys (member, key, op, result, at) "
                  "VALUES (?, ?, ?, ?, ?)",
    [S_MEMBER_SET_TOKEN] = "UPDATE members SET token_hash = ? WHERE id = ?",
    [S_OFFERS_OPEN_BY_DONOR] = "SELECT donor, count(*) FROM offers "
                               "WHERE state = 0 GROUP BY donor",
    [S_REQUESTS_OPEN_BY_MEMBER] = "SELECT member, count(*) FROM requests "
                                  "WHERE state = 0 GROUP BY member",
    [S_RULES_JSON] = "SELECT json_group_object(key, json_object('value', "
                     "value, 'changed', changed, 'decision', decision)) "
                     "FROM rules",
};

/*
 * Schema changes, one script per version: scripts[i] takes a database at
 * user_version i to i + 1. Never edit a released script; add another.
 */
static const char *const migrations[STORE_SCHEMA_VERSION] = {
    "CREATE TABLE members ( id INTEGER PRIMARY KEY,"
    " handle TEXT NOT NULL UNIQUE, name TEXT NOT NULL, hub TEXT NOT NULL,"
    " coordinator INTEGER NOT NULL DEFAULT 0, storage INTEGER NOT NULL,"
    " people INTEGER NOT NULL CHECK (people >= 0),"
    " catchment TEXT NOT NULL DEFAULT '',"
    " standing TEXT NOT NULL DEFAULT 'good', token_hash BLOB NOT NULL UNIQUE,"
    " joined INTEGER NOT NULL);CREATE TABLE offers ( id INTEGER PRIMARY KEY,"
    " donor INTEGER NOT NULL REFERENCES members(id), category TEXT NOT NULL,"
    " storage INTEGER NOT NULL, date_type INTEGER NOT NULL,"
    " date INTEGER NOT NULL, grams INTEGER NOT NULL CHECK (grams > 0),"
    " remaining INTEGER NOT NULL CHECK (remaining >= 0),"
    " min_portion INTEGER NOT NULL, divisible INTEGER NOT NULL,"
    " window_start INTEGER NOT NULL, window_end INTEGER NOT NULL,"
    " hub TEXT NOT NULL, note TEXT NOT NULL DEFAULT '', state INTEGER NOT NULL,"
    " posted INTEGER NOT NULL);"
    "CREATE INDEX offers_open ON offers(state, window_end);"
    "CREATE INDEX offers_donor ON offers(donor);CREATE TABLE requests ("
    " id INTEGER PRIMARY KEY, member INTEGER NOT NULL REFERENCES members(id),"
    " categories TEXT NOT NULL, storage INTEGER NOT NULL,"
    " grams INTEGER NOT NULL CHECK (grams > 0),"
    " received INTEGER NOT NULL DEFAULT 0, window_start INTEGER NOT NULL,"
    " window_end INTEGER NOT NULL, standing INTEGER NOT NULL DEFAULT 0,"
    " note TEXT NOT NULL DEFAULT '', state INTEGER NOT NULL,"
    " posted INTEGER NOT NULL);"
    "CREATE INDEX requests_open ON requests(state, window_end);"
    "CREATE INDEX requests_member ON requests(member);CREATE TABLE events ("
    " seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, body TEXT NOT NULL,"
    " prev BLOB NOT NULL, hash BLOB NOT NULL);"
    "CREATE INDEX events_at ON events(at);"
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN"
    " SELECT RAISE(ABORT, 'the exchange log is append-only'); END;"
    "CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN"
    " SELECT RAISE(ABORT, 'the exchange log is append-only'); END;",
    /* 2: allocation, waste, people supported, rules. */
    "ALTER TABLE members ADD COLUMN balance INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE offers ADD COLUMN deadline INTEGER NOT NULL DEFAULT 0;"
    "UPDATE offers SET deadline = min(window_end, date);"
    "ALTER TABLE offers ADD COLUMN fallback TEXT NOT NULL DEFAULT 'other';"
    "ALTER TABLE offers ADD COLUMN flash INTEGER NOT NULL DEFAULT 0;"
    "DROP INDEX offers_open;"
    "CREATE INDEX offers_open ON offers(state, deadline);"
    "CREATE TABLE allocations ("
    " id INTEGER PRIMARY KEY,"
    " offer INTEGER NOT NULL REFERENCES offers(id),"
    " request INTEGER NOT NULL REFERENCES requests(id),"
    " member INTEGER NOT NULL REFERENCES members(id),"
    " grams INTEGER NOT NULL CHECK (grams > 0),"
    " charge INTEGER NOT NULL CHECK (charge >= 0),"
    " state INTEGER NOT NULL,"
    " flash INTEGER NOT NULL DEFAULT 0,"
    " respond_by INTEGER NOT NULL,"
    " created INTEGER NOT NULL,"
    " decided INTEGER NOT NULL DEFAULT 0,"
    " collected_grams INTEGER NOT NULL DEFAULT 0,"
    " donor_confirmed INTEGER NOT NULL DEFAULT 0,"
    " member_confirmed INTEGER NOT NULL DEFAULT 0,"
    " reason TEXT NOT NULL);"
    "CREATE INDEX allocations_offer ON allocations(offer);"
    "CREATE INDEX allocations_request ON allocations(request);"
    "CREATE INDEX allocations_member ON allocations(member);"
    "CREATE TABLE waste ("
    " id INTEGER PRIMARY KEY,"
    " member INTEGER NOT NULL REFERENCES members(id),"
    " offer INTEGER REFERENCES offers(id),"
    " grams INTEGER NOT NULL CHECK (grams > 0),"
    " destination TEXT NOT NULL,"
    " cause TEXT NOT NULL,"
    " note TEXT NOT NULL DEFAULT '',"
    " at INTEGER NOT NULL);"
    "CREATE TABLE people ("
    " member INTEGER NOT NULL REFERENCES members(id),"
    " week INTEGER NOT NULL,"
    " people INTEGER NOT NULL CHECK (people >= 0),"
    " at INTEGER NOT NULL,"
    " PRIMARY KEY (member, week));"
    "CREATE TABLE rules ("
    " key TEXT PRIMARY KEY,"
    " value TEXT NOT NULL,"
    " changed INTEGER NOT NULL,"
    " decision TEXT NOT NULL);"
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
    /* 3: governance. */
    "ALTER TABLE members ADD COLUMN standing_since INTEGER NOT NULL "
    "DEFAULT 0;"
    "CREATE TABLE proposals ("
    " id INTEGER PRIMARY KEY,"
    " kind TEXT NOT NULL,"
    " key TEXT NOT NULL DEFAULT '',"
    " value TEXT NOT NULL DEFAULT '',"
    " member TEXT NOT NULL DEFAULT '',"
    " why TEXT NOT NULL,"
    " by TEXT NOT NULL,"
    " opened INTEGER NOT NULL,"
    " closes INTEGER NOT NULL,"
    " state INTEGER NOT NULL DEFAULT 0,"
    " closed INTEGER NOT NULL DEFAULT 0,"
    " members INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX proposals_open ON proposals(state, closes);"
    "CREATE TABLE votes ("
    " proposal INTEGER NOT NULL REFERENCES proposals(id),"
    " member INTEGER NOT NULL REFERENCES members(id),"
    " choice INTEGER NOT NULL,"
    " at INTEGER NOT NULL,"
    " PRIMARY KEY (proposal, member));"
    "CREATE TABLE disputes ("
    " id INTEGER PRIMARY KEY,"
    " allocation INTEGER NOT NULL REFERENCES allocations(id),"
    " by INTEGER NOT NULL REFERENCES members(id),"
    " against INTEGER NOT NULL REFERENCES members(id),"
    " reason TEXT NOT NULL,"
    " grams INTEGER NOT NULL DEFAULT 0,"
    " note TEXT NOT NULL DEFAULT '',"
    " state INTEGER NOT NULL DEFAULT 0,"
    " outcome TEXT NOT NULL DEFAULT '',"
    " raised INTEGER NOT NULL,"
    " respond_by INTEGER NOT NULL,"
    " settled INTEGER NOT NULL DEFAULT 0);",
    /* 4: shared challenges. */
    "CREATE TABLE challenges ("
    " id INTEGER PRIMARY KEY,"
    " title TEXT NOT NULL,"
    " by TEXT NOT NULL,"
    " opened INTEGER NOT NULL,"
    " state INTEGER NOT NULL DEFAULT 0,"
    " closed INTEGER NOT NULL DEFAULT 0);"
    "ALTER TABLE offers ADD COLUMN challenge INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE requests ADD COLUMN challenge INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE allocations ADD COLUMN challenge INTEGER NOT NULL "
    "DEFAULT 0;",
    /* 5: retry keys, so a repeated request changes nothing. */
    "CREATE TABLE request_keys ("
    " member INTEGER NOT NULL REFERENCES members(id),"
    " key TEXT NOT NULL,"
    " op TEXT NOT NULL,"
    " result TEXT NOT NULL,"
    " at INTEGER NOT NULL,"
    " PRIMARY KEY (member, key));",
    /* 6: a member's open offers and requests, counted from the index. */
    "DROP INDEX IF EXISTS offers_donor;"
    "CREATE INDEX offers_donor ON offers(donor, state);"
    "DROP INDEX IF EXISTS requests_member;"
    "CREATE INDEX requests_member ON requests(member, state);",
    /* 7: admission by vote, and why a passed proposal was not applied. */
    "ALTER TABLE proposals ADD COLUMN admit TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE proposals ADD COLUMN not_applied TEXT NOT NULL "
    "DEFAULT '';",
    /*
     * 8: each event's facts beside it (see EVENT_FACT_COLS), filled in
     * for the events already logged. The update trigger is lifted for the
     * backfill only, and put back as it was. Times are read only in the
     * form larderd writes them (2026-11-02T00:00:00Z).
     */
    "ALTER TABLE events ADD COLUMN kind TEXT;"
    "ALTER TABLE events ADD COLUMN member TEXT;"
    "ALTER TABLE events ADD COLUMN donor TEXT;"
    "ALTER TABLE events ADD COLUMN hub TEXT;"
    "ALTER TABLE events ADD COLUMN destination TEXT;"
    "ALTER TABLE events ADD COLUMN cause TEXT;"
    "ALTER TABLE events ADD COLUMN how TEXT;"
    "ALTER TABLE events ADD COLUMN week INTEGER;"
    "ALTER TABLE events ADD COLUMN raised INTEGER;"
    "ALTER TABLE events ADD COLUMN grams INTEGER;"
    "ALTER TABLE events ADD COLUMN offer INTEGER;"
    "ALTER TABLE events ADD COLUMN allocation INTEGER;"
    "ALTER TABLE events ADD COLUMN people INTEGER;"
    "ALTER TABLE events ADD COLUMN challenge INTEGER;"
    "ALTER TABLE events ADD COLUMN reverses_no_show INTEGER;"
    "ALTER TABLE events ADD COLUMN resolved INTEGER;"
    "DROP TRIGGER IF EXISTS events_no_update;"
    "UPDATE events SET"
    " kind = CASE json_type(body, '$.kind') WHEN 'text'"
    " THEN json_extract(body, '$.kind') END,"
    " member = CASE json_type(body, '$.member') WHEN 'text'"
    " THEN json_extract(body, '$.member') END,"
    " donor = CASE json_type(body, '$.donor') WHEN 'text'"
    " THEN json_extract(body, '$.donor') END,"
    " hub = CASE json_type(body, '$.hub') WHEN 'text'"
    " THEN json_extract(body, '$.hub') END,"
    " destination = CASE json_type(body, '$.destination') WHEN 'text'"
    " THEN json_extract(body, '$.destination') END,"
    " cause = CASE json_type(body, '$.cause') WHEN 'text'"
    " THEN json_extract(body, '$.cause') END,"
    " how = CASE json_type(body, '$.how') WHEN 'text'"
    " THEN json_extract(body, '$.how') END,"
    " week = CASE WHEN json_extract(body, '$.week') GLOB"
    " '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:"
    "[0-9][0-9]Z' THEN nullif(unixepoch(json_extract(body, '$.week')), 0)"
    " END,"
    " raised = CASE WHEN json_extract(body, '$.raised') GLOB"
    " '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:"
    "[0-9][0-9]Z' THEN nullif(unixepoch(json_extract(body, '$.raised')),"
    " 0) END,"
    " grams = CASE json_type(body, '$.grams') WHEN 'integer'"
    " THEN json_extract(body, '$.grams') END,"
    " offer = CASE json_type(body, '$.offer') WHEN 'integer'"
    " THEN json_extract(body, '$.offer') END,"
    " allocation = CASE json_type(body, '$.allocation') WHEN 'integer'"
    " THEN json_extract(body, '$.allocation') END,"
    " people = CASE json_type(body, '$.people') WHEN 'integer'"
    " THEN json_extract(body, '$.people') END,"
    " challenge = CASE json_type(body, '$.challenge') WHEN 'integer'"
    " THEN json_extract(body, '$.challenge') END,"
    " reverses_no_show = CASE json_type(body, '$.reverses_no_show')"
    " WHEN 'true' THEN 1 WHEN 'false' THEN 0 END,"
    " resolved = CASE json_type(body, '$.resolved')"
    " WHEN 'true' THEN 1 WHEN 'false' THEN 0 END;"
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN"
    " SELECT RAISE(ABORT, 'the exchange log is append-only'); END;",
    /* 9: the offers and requests of a challenge, without a scan of all. */
    "CREATE INDEX offers_challenge ON offers(challenge) WHERE challenge != 0;"
    "CREATE INDEX requests_challenge ON requests(challenge)"
    " WHERE challenge != 0;",
    /*
     * 10: each allocation names its offer's donor, so that a member's
     * allocations as donor are found without visiting all its offers.
     */
    "ALTER TABLE allocations ADD COLUMN donor INTEGER NOT NULL DEFAULT 0;"
    "UPDATE allocations SET donor ="
    " (SELECT donor FROM offers WHERE offers.id = allocations.offer);"
    "CREATE INDEX allocations_donor ON allocations(donor);",
    /*
     * 11: offers lose their index by donor. Each new offer of a different
     * donor wrote a page of it to the log, three pages in four of what
     * a turn of offer.post wrote, and only the count of a member's open
     * offers read it; those are now counted all at once.
     */
    "DROP INDEX IF EXISTS offers_donor;",
    /* 12: requests lose their index by member, for the same reason. */
    "DROP INDEX IF EXISTS requests_member;",
    /*
     * 13: open offers and requests indexed in the order they came, with
     * their deadlines beside: by deadline, each new one took a leaf of
     * its own, as food is good for hours or for days. The sweep reads
     * the deadlines of all open ones from the index instead.
     */
    "DROP INDEX IF EXISTS offers_open;"
    "CREATE INDEX offers_open ON offers(state, id, deadline);"
    "DROP INDEX IF EXISTS requests_open;"
    "CREATE INDEX requests_open ON requests(state, id, window_end);",
};

/* A count remembered until this connection next changes a row. */
struct store_tally {
	int valid;
	sqlite3_int64 changes; /* sqlite3_total_changes64 when counted */
	int64_t n;
};

/*
 * How many rows of a table are open (state 0), once counted: kept up to
 * date by every insert and change of state, so status need not count a
 * national network's open offers each time it is asked.
 */
struct store_open_total {
	int valid;
	int64_t n;
};

/*
 * Members' counts of open offers or requests, once counted, kept up to
 * date by every insert and change of state. They are counted for all
 * members at once: offers have no index by donor, nor requests by member,
 * as one cost each new row a page of its own written to the log.
 */
struct store_open_of {
	struct idmap map; /* member -> rows open */
	int all;          /* every member is in map: one missing has none */
	uint64_t passes;  /* times counted for all members */
};

/*
 * What one step (a request) moved in members' counts, to be moved back
 * if the step fails: requests fail often (a bad argument, a cap reached)
 * and counting every member again after each would cost a pass over all
 * open rows.
 */
#define STORE_UNDO_MAX 64

struct store_open_undo {
	struct store_open_of *o;
	int64_t member;
	int delta;
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *stmt[S_COUNT];
	struct store_tally tally[S_COUNT];
	struct store_open_total offers_open;
	struct store_open_total requests_open;
	struct store_open_of open_offers;   /* member -> open offers */
	struct store_open_of open_requests; /* member -> open requests */
	int in_step;
	struct store_open_undo undo[STORE_UNDO_MAX]; /* this step's moves */
	size_t nundo;
	int undo_lost;           /* more moves than undo holds */
	uint64_t undone;         /* rollbacks, counted for store_version */
	struct store_ckpt *ckpt; /* the checkpoint thread, when started */
};

/* The schema version a statement needs, where later than the first. */
static const int stmt_since[S_COUNT] = {
    [S_EVENT_INSERT] = 8,
    [S_EVENT_FACTS] = 8,
    [S_ALLOC_INSERT] = 10,
    [S_ALLOC_LIST_MEMBER] = 10,
};

/* Runs a script of statements with no results; sets *cause on error. */
static int
store_exec(struct store *st, const char *sql, char **cause)
{
	char *err = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &err) == SQLITE_OK)
		return 0;
	if (cause != NULL)
		asprintf(cause, "%s", err != NULL ? err : "unknown error");
	sqlite3_free(err);
	return -1;
}

/* Reads a single integer from a pragma or query. */
static int
store_pragma_int(struct store *st, const char *sql, int64_t *out)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* Brings the schema up to this build's version, one step at a time. */
static int
store_migrate(struct store *st, char **cause)
{
	int64_t version;
	char sql[64];

	if (store_pragma_int(st, "PRAGMA user_version", &version) != 0)
		return asprintf(cause, "cannot read schema version: %s",
		           sqlite3_errmsg(st->db)),
		       -1;
	if (version > STORE_SCHEMA_VERSION)
		return asprintf(cause,
		           "database schema version %lld is newer "
		           "than this larderd understands (%d)",
		           (long long)version, STORE_SCHEMA_VERSION),
		       -1;
	for (; version < STORE_SCHEMA_VERSION; version++) {
		snprintf(sql, sizeof sql, "PRAGMA user_version = %lld",
		    (long long)version + 1);
		if (store_exec(st, "BEGIN IMMEDIATE", cause) != 0)
			return -1;
		if (store_exec(st, migrations[version], cause) != 0 ||
		    store_exec(st, sql, cause) != 0 ||
		    store_exec(st, "COMMIT", cause) != 0) {
			store_exec(st, "ROLLBACK", NULL);
			return -1;
		}
	}
	return 0;
}

/*
 * Sets the durability the daemon promises: WAL with synchronous=FULL, so a
 * committed transaction survives power loss, and checks that it took.
 */
static int
store_configure(struct store *st, int readonly, char **cause)
{
	const unsigned char *mode;
	sqlite3_stmt *s;
	int64_t sync;
	int wal;

	sqlite3_busy_timeout(st->db, 5000);
	if (store_exec(st, "PRAGMA foreign_keys = ON", cause) != 0)
		return -1;
	if (readonly)
		return 0;
	/* SQLite answers with the mode it is in, which may not be WAL. */
	if (sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1, &s,
	        NULL) != SQLITE_OK)
		return asprintf(cause, "cannot set WAL: %s",
		           sqlite3_errmsg(st->db)),
		       -1;
	mode = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_text(s, 0) : NULL;
	wal = mode != NULL && strcmp((const char *)mode, "wal") == 0;
	if (!wal)
		asprintf(cause,
		    "the database stays in journal mode \"%s\" instead of "
		    "WAL; larderd needs WAL with synchronous=FULL so that an "
		    "ok reply means the change is on disk (is it a memory "
		    "database, or on a filesystem without shared memory?)",
		    mode != NULL ? (const char *)mode : "unknown");
	sqlite3_finalize(s);
	if (!wal)
		return -1;
	if (store_exec(st, "PRAGMA synchronous = FULL", cause) != 0)
		return -1;
	if (store_pragma_int(st, "PRAGMA synchronous", &sync) != 0 || sync != 2)
		return asprintf(cause,
		           "synchronous=FULL did not take; larderd will not "
		           "acknowledge changes that might not be on disk"),
		       -1;
	return 0;
}

/* Keeps up to mb MiB of database pages in memory; checks that it took. */
int
store_cache(struct store *st, int mb)
{
	long long kib = 1024LL * (mb > 0 ? mb : 1);
	int64_t now;
	char sql[64];

	snprintf(sql, sizeof sql, "PRAGMA cache_size = -%lld", kib);
	if (store_exec(st, sql, NULL) != 0 ||
	    store_pragma_int(st, "PRAGMA cache_size", &now) != 0)
		return -1;
	return now == -kib ? 0 : -1;
}

/*
 * Prepares every statement the schema allows: a database opened read-only
 * keeps its version, and what it lacks stays unprepared (NULL).
 */
static int
store_prepare(struct store *st, char **cause)
{
	int64_t version;
	int i;

	if (store_pragma_int(st, "PRAGMA user_version", &version) != 0)
		return asprintf(cause, "cannot read schema version: %s",
		           sqlite3_errmsg(st->db)),
		       -1;
	for (i = 0; i < S_COUNT; i++) {
		if (stmt_since[i] > version)
			continue;
		if (sqlite3_prepare_v3(st->db, stmt_sql[i], -1,
		        SQLITE_PREPARE_PERSISTENT, &st->stmt[i],
		        NULL) != SQLITE_OK)
			return asprintf(cause,
			           "cannot prepare statement %d: %s", i,
			           sqlite3_errmsg(st->db)),
			       -1;
	}
	return 0;
}

/* Opens (creating when writable) the database and brings it up to date. */
struct store *
store_open(const char *path, int readonly, char **cause)
{
	struct store *st;
	int flags;

	flags = readonly ? SQLITE_OPEN_READONLY
	                 : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if ((st = calloc(1, sizeof *st)) == NULL)
		return asprintf(cause, "out of memory"), NULL;
	idmap_init(&st->open_offers.map);
	idmap_init(&st->open_requests.map);
	if (sqlite3_open_v2(path, &st->db, flags | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		asprintf(cause, "%s: %s", path,
		    st->db != NULL ? sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	if (store_configure(st, readonly, cause) != 0)
		goto fail;
	if (!readonly && store_migrate(st, cause) != 0)
		goto fail;
	if (store_prepare(st, cause) != 0)
		goto fail;
	return st;
fail:
	store_close(st);
	return NULL;
}

/*
 * Checkpoints on a thread of their own. Left to itself, SQLite runs a
 * checkpoint inside the commit that takes the write-ahead log past 1,000
 * pages: it copies the log's pages into the database file and syncs it
 * while the loop, and every client of that turn, waits. With the
 * checkpointer started, a commit only notes that the log is long, and a
 * second connection copies it back on a thread. Its checkpoints are
 * PASSIVE: they never wait for the loop, nor make the loop wait. The
 * loop copies only the last few pages itself (store_wal_hook), and its
 * first write after a complete checkpoint starts the log again from its
 * beginning, so the log stays short.
 */
/* A checkpoint is at most this many copies by the thread ... */
#define STORE_CKPT_PASSES 8
/* ... which stop once they leave the loop this many pages or fewer. */
#define STORE_CKPT_LEFT 64

struct store_ckpt {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond; /* work asked for, or work done */
	sqlite3 *db;         /* the thread's own connection */
	int pages;           /* checkpoint once the log holds this many */
	int wanted;
	int running;
	int stop;
	uint64_t done;     /* checkpoints the thread has run */
	uint64_t finished; /* of them, those the loop has finished */
	char failed[200];  /* the last failure, until store_checkpoint_failed */
};

/*
 * Called by SQLite after each commit of the loop's connection. Under
 * steady writes the thread's checkpoint never catches the log's end:
 * commits go on while it copies. So once it has copied most of the log,
 * the loop copies the rest itself, the pages of the few turns since,
 * and its next write starts the log again.
 */
static int
store_wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct store_ckpt *ck = arg;
	int finish = 0;

	(void)name;
	if (pages < ck->pages)
		return SQLITE_OK;
	pthread_mutex_lock(&ck->lock);
	if (!ck->wanted && !ck->running) {
		if (ck->done != ck->finished) {
			ck->finished = ck->done;
			finish = 1;
		} else {
			ck->wanted = 1;
			pthread_cond_broadcast(&ck->cond);
		}
	}
	pthread_mutex_unlock(&ck->lock);
	if (finish)
		sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE,
		    NULL, NULL);
	return SQLITE_OK;
}

static void *
store_ckpt_main(void *arg)
{
	struct store_ckpt *ck = arg;
	int rc = SQLITE_OK, pass, log, copied;

	pthread_mutex_lock(&ck->lock);
	for (;;) {
		while (!ck->wanted && !ck->stop)
			pthread_cond_wait(&ck->cond, &ck->lock);
		if (ck->stop)
			break;
		ck->wanted = 0;
		ck->running = 1;
		pthread_mutex_unlock(&ck->lock);
		/*
		 * Each pass copies what the loop wrote during the last; the
		 * passes shorten until what is left for the loop is small.
		 */
		for (pass = 0; pass < STORE_CKPT_PASSES; pass++) {
			rc = sqlite3_wal_checkpoint_v2(ck->db, NULL,
			    SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
			if (rc != SQLITE_OK || log - copied <= STORE_CKPT_LEFT)
				break;
		}
		pthread_mutex_lock(&ck->lock);
		ck->running = 0;
		ck->done++;
		/* Busy: the loop held the log; the next long commit asks. */
		if (rc != SQLITE_OK && rc != SQLITE_BUSY)
			snprintf(ck->failed, sizeof ck->failed, "%s",
			    sqlite3_errmsg(ck->db));
		pthread_cond_broadcast(&ck->cond);
	}
	pthread_mutex_unlock(&ck->lock);
	return NULL;
}

/*
 * Starts checkpointing on a thread once the write-ahead log holds pages
 * pages. The loop's connection no longer checkpoints by itself.
 */
int
store_checkpoint_start(struct store *st, int pages, char **cause)
{
	struct store_ckpt *ck;
	const char *path = sqlite3_db_filename(st->db, "main");
	int rc;

	if (st->ckpt != NULL)
		return 0;
	if (path == NULL || *path == '\0')
		return asprintf(cause, "checkpoints: the store has no file"),
		       -1;
	if ((ck = calloc(1, sizeof *ck)) == NULL)
		return asprintf(cause, "out of memory"), -1;
	ck->pages = pages > 0 ? pages : 1;
	if (sqlite3_open_v2(path, &ck->db,
	        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
	        NULL) != SQLITE_OK ||
	    sqlite3_exec(ck->db, "PRAGMA synchronous = FULL", NULL, NULL,
	        NULL) != SQLITE_OK) {
		asprintf(cause, "checkpoints: %s",
		    ck->db != NULL ? sqlite3_errmsg(ck->db) : "out of memory");
		sqlite3_close(ck->db);
		free(ck);
		return -1;
	}
	pthread_mutex_init(&ck->lock, NULL);
	pthread_cond_init(&ck->cond, NULL);
	if ((rc = pthread_create(&ck->thread, NULL, store_ckpt_main, ck)) !=
	    0) {
		asprintf(cause, "checkpoints: cannot start a thread: %s",
		    strerror(rc));
		pthread_cond_destroy(&ck->cond);
		pthread_mutex_destroy(&ck->lock);
		sqlite3_close(ck->db);
		free(ck);
		return -1;
	}
	st->ckpt = ck;
	/* This replaces the hook by which SQLite checkpointed in the commit. */
	sqlite3_wal_hook(st->db, store_wal_hook, ck);
	return 0;
}

/* Stops the thread; the loop's connection checkpoints by itself again. */
static void
store_checkpoint_stop(struct store *st)
{
	struct store_ckpt *ck = st->ckpt;

	if (ck == NULL)
		return;
	sqlite3_wal_autocheckpoint(st->db, STORE_CHECKPOINT_PAGES);
	pthread_mutex_lock(&ck->lock);
	ck->stop = 1;
	pthread_cond_broadcast(&ck->cond);
	pthread_mutex_unlock(&ck->lock);
	pthread_join(ck->thread, NULL);
	sqlite3_close(ck->db);
	pthread_cond_destroy(&ck->cond);
	pthread_mutex_destroy(&ck->lock);
	free(ck);
	st->ckpt = NULL;
}

/*
 * Waits until no checkpoint is asked for or running; returns how many
 * have run. For tests, and for anyone who needs the log copied back now.
 */
uint64_t
store_checkpoint_wait(struct store *st)
{
	struct store_ckpt *ck = st->ckpt;
	uint64_t done;

	if (ck == NULL)
		return 0;
	pthread_mutex_lock(&ck->lock);
	while (ck->wanted || ck->running)
		pthread_cond_wait(&ck->cond, &ck->lock);
	done = ck->done;
	pthread_mutex_unlock(&ck->lock);
	return done;
}

/*
 * Copies the last checkpoint failure into buf and forgets it; returns 1
 * if there was one. Until a checkpoint succeeds the log only grows.
 */
int
store_checkpoint_failed(struct store *st, char *buf, size_t len)
{
	struct store_ckpt *ck = st->ckpt;
	int failed;

	if (ck == NULL)
		return 0;
	pthread_mutex_lock(&ck->lock);
	failed = ck->failed[0] != '\0';
	if (failed) {
		snprintf(buf, len, "%s", ck->failed);
		ck->failed[0] = '\0';
	}
	pthread_mutex_unlock(&ck->lock);
	return failed;
}

void
store_close(struct store *st)
{
	int i;

	if (st == NULL)
		return;
	store_checkpoint_stop(st);
	for (i = 0; i < S_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	idmap_free(&st->open_offers.map);
	idmap_free(&st->open_requests.map);
	free(st);
}

const char *
store_errmsg(struct store *st)
{
	return sqlite3_errmsg(st->db);
}

/* Takes a statement ready for binding. */
static sqlite3_stmt *
store_stmt(struct store *st, enum stmt which)
{
	sqlite3_stmt *s = st->stmt[which];

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

/* Steps a statement that returns no rows. */
static int
store_done(sqlite3_stmt *s)
{
	int rc;

	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
store_simple(struct store *st, enum stmt which)
{
	return store_done(store_stmt(st, which));
}

/* Forgets the members' remembered counts of open offers or requests. */
static void
store_forget_open(struct store_open_of *o)
{
	idmap_free(&o->map);
	idmap_init(&o->map);
	o->all = 0;
}

/*
 * Forgets the remembered totals: rows went back to what they were (so
 * store_version moves on too).
 */
static void
store_forget_totals(struct store *st)
{
	st->undone++;
	memset(st->tally, 0, sizeof st->tally);
	st->offers_open.valid = st->requests_open.valid = 0;
}

/* Forgets the totals and every member's counts. */
static void
store_forget_counts(struct store *st)
{
	store_forget_totals(st);
	store_forget_open(&st->open_offers);
	store_forget_open(&st->open_requests);
}

/* Moves member's count by one (delta 1 or -1), when its count is known. */
static void
store_open_shift(struct store_open_of *o, int64_t member, int delta)
{
	size_t n = 0;

	if (!idmap_get(&o->map, member, &n) && !o->all)
		return;
	/* A count that would go below none is wrong: count again later. */
	if ((delta < 0 && n == 0) ||
	    idmap_put(&o->map, member, delta < 0 ? n - 1 : n + 1) != 0)
		store_forget_open(o);
}

/* Moves member's count, and notes the move for the step to undo. */
static void
store_open_move(struct store *st, struct store_open_of *o, int64_t member,
    int delta)
{
	store_open_shift(o, member, delta);
	if (!st->in_step)
		return;
	if (st->nundo == STORE_UNDO_MAX) {
		st->undo_lost = 1;
		return;
	}
	st->undo[st->nundo++] = (struct store_open_undo){o, member, delta};
}

/* Counts how often every member's open rows were counted, for tests. */
uint64_t
store_open_passes(struct store *st)
{
	return st->open_offers.passes + st->open_requests.passes;
}

/*
 * Reads the one integer a counting statement returns, or -1. status asks
 * for the same counts over and over, and counting open offers walks an
 * index, so a count is kept until this connection changes any row (no
 * other connection writes) or rolls back.
 */
static int64_t
store_count(struct store *st, enum stmt which)
{
	sqlite3_stmt *s = store_stmt(st, which);
	struct store_tally *t = &st->tally[which];
	sqlite3_int64 changes = sqlite3_total_changes64(st->db);
	int64_t n = -1;

	if (t->valid && t->changes == changes)
		return t->n;
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (n >= 0) {
		t->valid = 1;
		t->changes = changes;
		t->n = n;
	}
	return n;
}

/*
 * Copies a text column into a field of len bytes, cut short if it must
 * be. Listings copy many, so it is a plain copy, not a formatted print.
 */
static void
store_text(sqlite3_stmt *s, int col, char *buf, size_t len)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	size_t n = t != NULL ? (size_t)sqlite3_column_bytes(s, col) : 0;

	if (n >= len)
		n = len - 1;
	if (n > 0)
		memcpy(buf, t, n);
	buf[n] = '\0';
}

/* Starts the group transaction that the next commit will end. */
int
store_begin(struct store *st)
{
	return store_simple(st, S_BEGIN);
}

/*
 * Opens a savepoint around one request's changes, starting the group
 * transaction if none is open, so that a request that fails half-way
 * leaves nothing behind while its neighbours' changes stand.
 */
int
store_step_begin(struct store *st)
{
	if (sqlite3_get_autocommit(st->db) && store_begin(st) != 0)
		return -1;
	if (store_simple(st, S_SAVEPOINT) != 0)
		return -1;
	st->in_step = 1;
	st->nundo = 0;
	st->undo_lost = 0;
	return 0;
}

/* Ends a request's savepoint, keeping its changes only when ok. */
int
store_step_end(struct store *st, int ok)
{
	int rc = 0;

	if (!st->in_step)
		return 0;
	st->in_step = 0;
	if (!ok) {
		/* The step's moves back, last first; all if some were lost. */
		if (st->undo_lost)
			store_forget_counts(st);
		else
			store_forget_totals(st);
		while (!st->undo_lost && st->nundo > 0) {
			st->nundo--;
			store_open_shift(st->undo[st->nundo].o,
			    st->undo[st->nundo].member,
			    -st->undo[st->nundo].delta);
		}
		rc = store_simple(st, S_ROLLBACK_TO);
	}
	if (store_simple(st, S_RELEASE) != 0)
		rc = -1;
	return rc;
}

/* Whether a transaction is open. */
int
store_in_transaction(struct store *st)
{
	return !sqlite3_get_autocommit(st->db);
}

/* Whether the open transaction has changed anything yet. */
int
store_writing(struct store *st)
{
	return sqlite3_txn_state(st->db, NULL) == SQLITE_TXN_WRITE;
}

/* Commits the group transaction; it is durable when this returns 0. */
int
store_commit(struct store *st)
{
	if (sqlite3_get_autocommit(st->db))
		return 0;
	if (store_simple(st, S_COMMIT) == 0)
		return 0;
	/* A failed commit may have rolled back by itself. */
	store_forget_counts(st);
	return -1;
}

/*
 * A number that moves on whenever a row may have changed, through this
 * connection (the only writer while larderd holds its lock): every row
 * inserted, updated or deleted, and every rollback. What was read under
 * one version is still true while the version stays the same.
 */
uint64_t
store_version(struct store *st)
{
	return (uint64_t)sqlite3_total_changes64(st->db) + st->undone;
}

int
store_rollback(struct store *st)
{
	store_forget_counts(st);
	if (sqlite3_get_autocommit(st->db))
		return 0;
	return store_simple(st, S_ROLLBACK);
}

/* Adds a member; fills in its id. A taken handle fails with -1. */
int
store_member_insert(struct store *st, struct member *m,
    const unsigned char *token_hash)
{
	sqlite3_stmt *s = store_stmt(st, S_MEMBER_INSERT);

	sqlite3_bind_text(s, 1, m->handle, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, m->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, m->hub, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, m->coordinator);
	sqlite3_bind_int(s, 5, (int)m->storage);
	sqlite3_bind_int64(s, 6, m->people);
	sqlite3_bind_text(s, 7, m->catchment, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, m->standing, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 9, token_hash, STORE_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(s, 10, m->joined);
	if (store_done(s) != 0)
		return -1;
	m->id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

static void
store_member_row(sqlite3_stmt *s, struct member *m)
{
	m->id = sqlite3_column_int64(s, 0);
	store_text(s, 1, m->handle, sizeof m->handle);
	store_text(s, 2, m->name, sizeof m->name);
	store_text(s, 3, m->hub, sizeof m->hub);
	m->coordinator = sqlite3_column_int(s, 4);
	m->storage = (unsigned)sqlite3_column_int(s, 5);
	m->people = sqlite3_column_int64(s, 6);
	store_text(s, 7, m->catchment, sizeof m->catchment);
	store_text(s, 8, m->standing, sizeof m->standing);
	m->joined = (time_t)sqlite3_column_int64(s, 9);
	m->balance = sqlite3_column_int64(s, 10);
}

/* Steps a lookup that returns at most one member. */
static int
store_member_one(sqlite3_stmt *s, struct member *m)
{
	int rc;

	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		store_member_row(s, m);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_member_by_handle(struct store *st, const char *handle, struct member *m)
{
	sqlite3_stmt *s = store_stmt(st, S_MEMBER_BY_HANDLE);

	sqlite3_bind_text(s, 1, handle, -1, SQLITE_STATIC);
	return store_member_one(s, m);
}

int
store_member_by_token(struct store *st, const unsigned char *token_hash,
    struct member *m)
{
	sqlite3_stmt *s = store_stmt(st, S_MEMBER_BY_TOKEN);

	int rc;

	/*
	 * The index finds the row; the hashes are then compared again in
	 * constant time so no timing depends on how much of a guess matched.
	 */
	sqlite3_bind_blob(s, 1, token_hash, STORE_HASH_LEN, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(s, 11) == STORE_HASH_LEN &&
	    digest_equal(sqlite3_column_blob(s, 11), token_hash)) {
		store_member_row(s, m);
		sqlite3_reset(s);
		return 1;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* Calls cb for each member of a page; stops early when cb returns -1. */
int
store_member_list(struct store *st, const struct store_filter *f,
    store_member_cb cb, void *arg)
{
	sqlite3_stmt *s = store_stmt(st, S_MEMBER_LIST);
	struct member m;
	int rc;

	sqlite3_bind_int64(s, 1, f->after);
	sqlite3_bind_int(s, 2, f->limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		store_member_row(s, &m);
		if (cb(arg, &m) != 0)
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int64_t
store_member_count(struct store *st)
{
	return store_count(st, S_MEMBER_COUNT);
}

/* Adds an offer; fills in its id. */
int
store_offer_insert(struct store *st, struct offer *o)
{
	sqlite3_stmt *s = store_stmt(st, S_OFFER_INSERT);

	sqlite3_bind_int64(s, 1, o->donor);
	sqlite3_bind_text(s, 2, o->category, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, (int)o->storage);
	sqlite3_bind_int(s, 4, o->date_type);
	sqlite3_bind_int64(s, 5, o->date);
	sqlite3_bind_int64(s, 6, o->grams);
	sqlite3_bind_int64(s, 7, o->remaining);
	sqlite3_bind_int64(s, 8, o->min_portion);
	sqlite3_bind_int(s, 9, o->divisible);
	sqlite3_bind_int64(s, 10, o->window_start);
	sqlite3_bind_int64(s, 11, o->window_end);
	sqlite3_bind_text(s, 12, o->hub, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 13, o->note, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 14, o->state);
	sqlite3_bind_int64(s, 15, o->posted);
	sqlite3_bind_int64(s, 16, o->deadline);
	sqlite3_bind_text(s, 17, o->fallback, -1, SQLITE_STATIC);
	if (store_done(s) != 0)
		return -1;
	o->id = sqlite3_last_insert_rowid(st->db);
	if (st->offers_open.valid)
		st->offers_open.n += o->state == OFFER_OPEN;
	if (o->state == OFFER_OPEN)
		store_open_move(st, &st->open_offers, o->donor, 1);
	return 0;
}

static void
store_offer_row(sqlite3_stmt *s, struct offer *o)
{
	o->id = sqlite3_column_int64(s, 0);
	o->donor = sqlite3_column_int64(s, 1);
	store_text(s, 2, o->donor_handle, sizeof o->donor_handle);
	store_text(s, 3, o->category, sizeof o->category);
	o->storage = (unsigned)sqlite3_column_int(s, 4);
	o->date_type = (enum date_type)sqlite3_column_int(s, 5);
	o->date = (time_t)sqlite3_column_int64(s, 6);
	o->grams = sqlite3_column_int64(s, 7);
	o->remaining = sqlite3_column_int64(s, 8);
	o->min_portion = sqlite3_column_int64(s, 9);
	o->divisible = sqlite3_column_int(s, 10);
	o->window_start = (time_t)sqlite3_column_int64(s, 11);
	o->window_end = (time_t)sqlite3_column_int64(s, 12);
	store_text(s, 13, o->hub, sizeof o->hub);
	store_text(s, 14, o->note, sizeof o->note);
	o->state = (enum offer_state)sqlite3_column_int(s, 15);
	o->posted = (time_t)sqlite3_column_int64(s, 16);
	o->deadline = (time_t)sqlite3_column_int64(s, 17);
	store_text(s, 18, o->fallback, sizeof o->fallback);
	o->flash = sqlite3_column_int(s, 19);
}

int
store_offer_get(struct store *st, int64_t id, struct offer *o)
{
	sqlite3_stmt *s = store_stmt(st, S_OFFER_GET);
	int rc;

	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		store_offer_row(s, o);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Keeps a table's count of open rows as one row goes from old to state. */
static void
store_open_moved(struct store_open_total *t, int old, int state)
{
	if (t->valid && old >= 0)
		t->n += (state == 0) - (old == 0);
	else
		t->valid = 0;
}

/*
 * Sets the state of a row by id, through one of the set-state statements.
 * The row's old state and owner are read first, so that the counts of
 * open rows, the network's and its owner's, follow the change.
 */
static int
store_set_state(struct store *st, enum stmt which, int64_t id, int state)
{
	int offers = which == S_OFFER_SET_STATE;
	sqlite3_stmt *s = store_stmt(st, which);
	sqlite3_stmt *q =
	    store_stmt(st, offers ? S_OFFER_STATE : S_REQUEST_STATE);
	struct store_open_total *t =
	    offers ? &st->offers_open : &st->requests_open;
	struct store_open_of *mine =
	    offers ? &st->open_offers : &st->open_requests;
	int64_t owner = 0;
	int old = -1;

	sqlite3_bind_int64(q, 1, id);
	if (sqlite3_step(q) == SQLITE_ROW) {
		old = sqlite3_column_int(q, 0);
		owner = sqlite3_column_int64(q, 1);
	}
	sqlite3_reset(q);
	sqlite3_bind_int(s, 1, state);
	sqlite3_bind_int64(s, 2, id);
	if (store_done(s) != 0 || sqlite3_changes(st->db) != 1) {
		t->valid = 0;
		store_forget_open(mine);
		return -1;
	}
	store_open_moved(t, old, state);
	if (old >= 0 && (state == 0) != (old == 0))
		store_open_move(st, mine, owner, state == 0 ? 1 : -1);
	return 0;
}

int
store_offer_set_state(struct store *st, int64_t id, enum offer_state state)
{
	return store_set_state(st, S_OFFER_SET_STATE, id, (int)state);
}

/* Runs a query of offers, calling cb for each; cb returning -1 stops it. */
static int
store_offer_each(sqlite3_stmt *s, store_offer_cb cb, void *arg)
{
	struct offer o;
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		store_offer_row(s, &o);
		if (cb(arg, &o) != 0)
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int
store_offer_list(struct store *st, const struct store_filter *f,
    store_offer_cb cb, void *arg)
{
	sqlite3_stmt *s = store_stmt(st, S_OFFER_LIST);

	sqlite3_bind_int64(s, 1, f->after);
	sqlite3_bind_int64(s, 2, f->member);
	sqlite3_bind_int(s, 3, f->open_only);
	sqlite3_bind_int(s, 4, f->limit);
	return store_offer_each(s, cb, arg);
}

/*
 * Calls cb for up to limit open offers whose deadline is at or before now.
 * The callback must not change offers: collect, then act.
 */
int
store_offer_due(struct store *st, time_t now, int limit, store_offer_cb cb,
    void *arg)
{
	sqlite3_stmt *s = store_stmt(st, S_OFFER_DUE);

	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int(s, 2, limit);
	return store_offer_each(s, cb, arg);
}

/* A table's open rows: counted once, then kept by every change. */
static int64_t
store_open_total(struct store *st, struct store_open_total *t, enum stmt which)
{
	sqlite3_stmt *s;

	if (t->valid)
		return t->n;
	s = store_stmt(st, which);
	if (sqlite3_step(s) == SQLITE_ROW) {
		t->n = sqlite3_column_int64(s, 0);
		t->valid = 1;
	}
	sqlite3_reset(s);
	return t->valid ? t->n : -1;
}

int64_t
store_offer_count_open(struct store *st)
{
	return store_open_total(st, &st->offers_open, S_OFFER_COUNT_OPEN);
}

/* Adds a request; fills in its id. */
int
store_request_insert(struct store *st, struct request *r)
{
	sqlite3_stmt *s = store_stmt(st, S_REQUEST_INSERT);

	sqlite3_bind_int64(s, 1, r->member);
	sqlite3_bind_text(s, 2, r->categories, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, (int)r->storage);
	sqlite3_bind_int64(s, 4, r->grams);
	sqlite3_bind_int64(s, 5, r->received);
	sqlite3_bind_int64(s, 6, r->window_start);
	sqlite3_bind_int64(s, 7, r->window_end);
	sqlite3_bind_int(s, 8, r->standing);
	sqlite3_bind_text(s, 9, r->note, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 10, r->state);
	sqlite3_bind_int64(s, 11, r->posted);
	if (store_done(s) != 0)
		return -1;
	r->id = sqlite3_last_insert_rowid(st->db);
	if (st->requests_open.valid)
		st->requests_open.n += r->state == REQUEST_OPEN;
	if (r->state == REQUEST_OPEN)
		store_open_move(st, &st->open_requests, r->member, 1);
	return 0;
}

static void
store_request_row(sqlite3_stmt *s, struct request *r)
{
	r->id = sqlite3_column_int64(s, 0);
	r->member = sqlite3_column_int64(s, 1);
	store_text(s, 2, r->member_handle, sizeof r->member_handle);
	store_text(s, 3, r->categories, sizeof r->categories);
	r->storage = (unsigned)sqlite3_column_int(s, 4);
	r->grams = sqlite3_column_int64(s, 5);
	r->received = sqlite3_column_int64(s, 6);
	r->window_start = (time_t)sqlite3_column_int64(s, 7);
	r->window_end = (time_t)sqlite3_column_int64(s, 8);
	r->standing = sqlite3_column_int(s, 9);
	store_text(s, 10, r->note, sizeof r->note);
	r->state = (enum request_state)sqlite3_column_int(s, 11);
	r->posted = (time_t)sqlite3_column_int64(s, 12);
}

int
store_request_get(struct store *st, int64_t id, struct request *r)
{
	sqlite3_stmt *s = store_stmt(st, S_REQUEST_GET);
	int rc;

	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		store_request_row(s, r);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_request_set_state(struct store *st, int64_t id, enum request_state state)
{
	return store_set_state(st, S_REQUEST_SET_STATE, id, (int)state);
}

static int
store_request_each(sqlite3_stmt *s, store_request_cb cb, void *arg)
{
	struct request r;
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		store_request_row(s, &r);
		if (cb(arg, &r) != 0)
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int
store_request_list(struct store *st, const struct store_filter *f,
    store_request_cb cb, void *arg)
{
	sqlite3_stmt *s = store_stmt(st, S_REQUEST_LIST);

	sqlite3_bind_int64(s, 1, f->after);
	sqlite3_bind_int64(s, 2, f->member);
	sqlite3_bind_int(s, 3, f->open_only);
	sqlite3_bind_int(s, 4, f->limit);
	return store_request_each(s, cb, arg);
}

/* Calls cb for up to limit open requests whose end has come. */
int
store_request_due(struct store *st, time_t now, int limit, store_request_cb cb,
    void *arg)
{
	sqlite3_stmt *s = store_stmt(st, S_REQUEST_DUE);

	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int(s, 2, limit);
	return store_request_each(s, cb, arg);
}

int64_t
store_request_count_open(struct store *st)
{
	return store_open_total(st, &st->requests_open, S_REQUEST_COUNT_OPEN);
}

/* Runs a statement that sets one integer on a row by id. */
static int
store_set_int(struct store *st, enum stmt which, int64_t id, int64_t v)
{
	sqlite3_stmt *s = store_stmt(st, which);

	sqlite3_bind_int64(s, 1, v);
	sqlite3_bind_int64(s, 2, id);
	return store_done(s);
}

int
store_member_set_balance(struct store *st, int64_t member, int64_t balance)
{
	return store_set_int(st, S_MEMBER_SET_BALANCE, member, balance);
}

/* Sets how many grams of an offer are not yet proposed or taken. */
int
store_offer_set_remaining(struct store *st, int64_t offer, int64_t grams)
{
	return store_set_int(st, S_OFFER_SET_REMAINING, offer, grams);
}

/* Marks an offer as open to the first claim. */
int
store_offer_set_flash(struct store *st, int64_t offer)
{
	sqlite3_stmt *s = store_stmt(st, S_OFFER_SET_FLASH);

	sqlite3_bind_int64(s, 1, offer);
	return store_done(s);
}

int
store_request_add_received(struct store *st, int64_t request, int64_t grams)
{
	return store_set_int(st, S_REQUEST_ADD_RECEIVED, request, grams);
}

/* Returns the grams of a request held by proposed or accepted matches. */
int64_t
store_request_held(struct store *st, int64_t request)
{
	sqlite3_stmt *s = store_stmt(st, S_REQUEST_HELD);
	int64_t n = -1;

	sqlite3_bind_int64(s, 1, request);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return n;
}

/* Calls cb(donor, grams) for food each donor gave, collected since. */
int
store_contributions(struct store *st, time_t since, store_pair_cb cb, void *arg)
{
	sqlite3_stmt *s = store_stmt(st, S_CONTRIBUTIONS);
	int rc;

	sqlite3_bind_int64(s, 1, since);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (cb(arg, sqlite3_column_int64(s, 0),
		        sqlite3_column_int64(s, 1)) != 0)
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* Adds an allocation with the policy's reason; fills in its id. */
int
store_alloc_insert(struct store *st, struct allocation *a, const char *reason)
{
	sqlite3_stmt *s;

	if (st->stmt[S_ALLOC_INSERT] == NULL)
		return -1;
	s = store_stmt(st, S_ALLOC_INSERT);
	sqlite3_bind_int64(s, 1, a->offer);
	sqlite3_bind_int64(s, 2, a->request);
	sqlite3_bind_int64(s, 3, a->member);
	sqlite3_bind_int64(s, 4, a->grams);
	sqlite3_bind_int64(s, 5, a->charge);
	sqlite3_bind_int(s, 6, a->state);
	sqlite3_bind_int(s, 7, a->flash);
	sqlite3_bind_int64(s, 8, a->respond_by);
	sqlite3_bind_int64(s, 9, a->created);
	sqlite3_bind_int64(s, 10, a->decided);
	sqlite3_bind_text(s, 11, reason, -1, SQLITE_STATIC);
	if (store_done(s) != 0)
		return -1;
	a->id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

static void
store_alloc_row(sqlite3_stmt *s, struct allocation *a)
{
	a->id = sqlite3_column_int64(s, 0);
	a->offer = sqlite3_column_int64(s, 1);
	a->request = sqlite3_column_int64(s, 2);
	a->member = sqlite3_column_int64(s, 3);
	a->donor = sqlite3_column_int64(s, 4);
	store_text(s, 5, a->member_handle, sizeof a->member_handle);
	store_text(s, 6, a->donor_handle, sizeof a->donor_handle);
	store_text(s, 7, a->category, sizeof a->category);
	store_text(s, 8, a->hub, sizeof a->hub);
	a->storage = (unsigned)sqlite3_column_int(s, 9);
	a->grams = sqlite3_column_int64(s, 10);
	a->charge = sqlite3_column_int64(s, 11);
	a->state = (enum alloc_state)sqlite3_column_int(s, 12);
	a->flash = sqlite3_column_int(s, 13);
	a->respond_by = (time_t)sqlite3_column_int64(s, 14);
	a->created = (time_t)sqlite3_column_int64(s, 15);
	a->decided = (time_t)sqlite3_column_int64(s, 16);
	a->collected_grams = sqlite3_column_int64(s, 17);
	a->donor_confirmed = sqlite3_column_int(s, 18);
	a->member_confirmed = sqlite3_column_int(s, 19);
	a->window_start = (time_t)sqlite3_column_int64(s, 20);
	a->window_end = (time_t)sqlite3_column_int64(s, 21);
}

/* Steps a lookup of at most one allocation. */
static int
store_alloc_one(sqlite3_stmt *s, struct allocation *a)
{
	int rc;

	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		store_alloc_row(s, a);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_alloc_get(struct store *st, int64_t id, struct allocation *a)
{
	sqlite3_stmt *s = store_stmt(st, S_ALLOC_GET);

	sqlite3_bind_int64(s, 1, id);
	return store_alloc_one(s, a);
}

/* Finds the latest allocation of offer to member in the given state. */
int
store_alloc_find(struct store *st, int64_t offer, int64_t member,
    enum alloc_state state, struct allocation *a)
{
	sqlite3_stmt *s = store_stmt(st, S_ALLOC_FIND);

	sqlite3_bind_int64(s, 1, offer);
	sqlite3_bind_int64(s, 2, member);
	sqlite3_bind_int(s, 3, state);
	return store_alloc_one(s, a);
}

/* Writes an allocation's state, answer time and collection. */
int
store_alloc_update(struct store *st, const struct allocation *a)
{
	sqlite3_stmt *s = store_stmt(st, S_ALLOC_UPDATE);

	sqlite3_bind_int(s, 1, a->state);
	sqlite3_bind_int64(s, 2, a->decided);
	sqlite3_bind_int64(s, 3, a->collected_grams);
	sqlite3_bind_int(s, 4, a->donor_confirmed);
	sqlite3_bind_int(s, 5, a->member_confirmed);
	sqlite3_bind_int64(s, 6, a->id);
	if (store_done(s) != 0)
		return -1;
	return sqlite3_changes(st->db) == 1 ? 0 : -1;
}

static int
store_alloc_each(sqlite3_stmt *s, store_alloc_cb cb, void *arg)
{
	struct allocation a;
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		store_alloc_row(s, &a);
		if (cb(arg, &a) != 0)
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* Lists allocations a member receives or gives (member 0: all). */
int
store_alloc_list(struct store *st, const struct store_filter *f,
    store_alloc_cb cb, void *arg)
{
	enum stmt which = f->member != 0 ? S_ALLOC_LIST_MEMBER : S_ALLOC_LIST;
	sqlite3_stmt *s;

	if (st->stmt[which] == NULL)
		return -1;
	s = store_stmt(st, which);
	sqlite3_bind_int64(s, 1, f->after);
	sqlite3_bind_int64(s, 2, f->member);
	sqlite3_bind_int(s, 3, f->open_only);
	sqlite3_bind_int(s, 4, f->limit);
	return store_alloc_each(s, cb, arg);
}

/* Calls cb for every allocation of every open offer, for start-up. */
int
store_alloc_open_offers(struct store *st, store_alloc_cb cb, void *arg)
{
	return store_alloc_each(store_stmt(st, S_ALLOC_OPEN_OFFERS), cb, arg);
}

/* Calls cb for each allocation of an offer; cb must not change them. */
int
store_alloc_by_offer(struct store *st, int64_t offer, store_alloc_cb cb,
    void *arg)
{
	sqlite3_stmt *s = store_stmt(st, S_ALLOC_BY_OFFER);

	sqlite3_bind_int64(s, 1, offer);
	return store_alloc_each(s, cb, arg);
}

int
store_alloc_by_request(struct store *st, int64_t request, store_alloc_cb cb,
    void *arg)
{
	sqlite3_stmt *s = store_stmt(st, S_ALLOC_BY_REQUEST);

	sqlite3_bind_int64(s, 1, request);
	return store_alloc_each(s, cb, arg);
}

/* Returns an allocation's reason record (malloc'd JSON text) or NULL. */
char *
store_alloc_reason(struct store *st, int64_t id)
{
	sqlite3_stmt *s = store_stmt(st, S_ALLOC_REASON);
	char *text = NULL;

	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != NULL)
		text = strdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_reset(s);
	return text;
}

/* Records waste; an offer of 0 means food not from an offer. */
int
store_waste_insert(struct store *st, struct waste *w)
{
	sqlite3_stmt *s = store_stmt(st, S_WASTE_INSERT);

	sqlite3_bind_int64(s, 1, w->member);
	if (w->offer > 0)
		sqlite3_bind_int64(s, 2, w->offer);
	sqlite3_bind_int64(s, 3, w->grams);
	sqlite3_bind_text(s, 4, w->destination, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, w->cause, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, w->note, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, w->at);
	if (store_done(s) != 0)
		return -1;
	w->id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

/* Records (or replaces) the people a member supported in a week. */
int
store_people_report(struct store *st, int64_t member, time_t week,
    int64_t people, time_t at)
{
	sqlite3_stmt *s = store_stmt(st, S_PEOPLE_REPORT);

	sqlite3_bind_int64(s, 1, member);
	sqlite3_bind_int64(s, 2, week);
	sqlite3_bind_int64(s, 3, people);
	sqlite3_bind_int64(s, 4, at);
	return store_done(s);
}

/* Sets a rule's value, noting when and by which decision. */
int
store_rule_set(struct store *st, const char *key, const char *value,
    time_t changed, const char *decision)
{
	sqlite3_stmt *s = store_stmt(st, S_RULE_SET);

	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, changed);
	sqlite3_bind_text(s, 4, decision, -1, SQLITE_STATIC);
	return store_done(s);
}

/* Calls cb(key, value) for every rule. */
int
store_rules(struct store *st, int (*cb)(void *, const char *, const char *),
    void *arg)
{
	sqlite3_stmt *s = store_stmt(st, S_RULES);
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (cb(arg, (const char *)sqlite3_column_text(s, 0),
		        (const char *)sqlite3_column_text(s, 1)) != 0)
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* Reads a daemon-wide value; 1 when found, 0 when not, -1 on error. */
int
store_meta_get(struct store *st, const char *key, char *buf, size_t len)
{
	sqlite3_stmt *s = store_stmt(st, S_META_GET);
	int rc;

	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		store_text(s, 0, buf, len);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_meta_set(struct store *st, const char *key, const char *value)
{
	sqlite3_stmt *s = store_stmt(st, S_META_SET);

	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	return store_done(s);
}

/* Steps a statement whose one column is JSON text; a new object or NULL. */
static json_t *
store_json_one(sqlite3_stmt *s)
{
	json_t *obj = NULL;

	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != NULL)
		obj = json_loads((const char *)sqlite3_column_text(s, 0), 0,
		    NULL);
	sqlite3_reset(s);
	return obj;
}

/* Calls cb with each row's JSON object; cb takes the reference. */
static int
store_json_each(sqlite3_stmt *s, store_json_cb cb, void *arg)
{
	json_t *obj;
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		obj = json_loads((const char *)sqlite3_column_text(s, 0), 0,
		    NULL);
		if (obj == NULL || cb(arg, obj) != 0)
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* Adds a proposal; returns its id, or -1. */
int64_t
store_proposal_insert(struct store *st, const struct store_proposal *p)
{
	sqlite3_stmt *s = store_stmt(st, S_PROPOSAL_INSERT);

	sqlite3_bind_text(s, 1, p->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, p->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, p->value, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, p->member, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, p->admit, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, p->why, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, p->by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 8, p->opened);
	sqlite3_bind_int64(s, 9, p->closes);
	sqlite3_bind_int64(s, 10, p->members);
	if (store_done(s) != 0)
		return -1;
	return sqlite3_last_insert_rowid(st->db);
}

json_t *
store_proposal_json(struct store *st, int64_t id)
{
	sqlite3_stmt *s = store_stmt(st, S_PROPOSAL_JSON);

	sqlite3_bind_int64(s, 1, id);
	return store_json_one(s);
}

int
store_proposal_list(struct store *st, const struct store_filter *f,
    store_json_cb cb, void *arg)
{
	sqlite3_stmt *s = store_stmt(st, S_PROPOSAL_LIST);

	sqlite3_bind_int64(s, 1, f->after);
	sqlite3_bind_int(s, 2, f->open_only);
	sqlite3_bind_int(s, 3, f->limit);
	return store_json_each(s, cb, arg);
}

/* Calls cb for each open proposal whose closing time has come. */
int
store_proposal_due(struct store *st, time_t now, store_json_cb cb, void *arg)
{
	sqlite3_stmt *s = store_stmt(st, S_PROPOSAL_DUE);

	sqlite3_bind_int64(s, 1, now);
	return store_json_each(s, cb, arg);
}

/* Records a proposal's outcome and, when it passed but could not be
 * applied, why not (NULL when it was). */
int
store_proposal_close(struct store *st, int64_t id, int state, time_t closed,
    const char *not_applied)
{
	sqlite3_stmt *s = store_stmt(st, S_PROPOSAL_CLOSE);

	sqlite3_bind_int(s, 1, state);
	sqlite3_bind_int64(s, 2, closed);
	sqlite3_bind_text(s, 3, not_applied != NULL ? not_applied : "", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, id);
	return store_done(s);
}

/* The open admit proposal for a handle: 1 and its id in *id, 0 when
 * there is none, -1 on error. */
int
store_proposal_admitting(struct store *st, const char *handle, int64_t *id)
{
	sqlite3_stmt *s = store_stmt(st, S_PROPOSAL_ADMITTING);
	int rc;

	sqlite3_bind_text(s, 1, handle, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Records a vote: 0 yes, 1 no, 2 abstain. A second vote fails. */
int
store_vote(struct store *st, int64_t proposal, int64_t member, int choice,
    time_t at)
{
	sqlite3_stmt *s = store_stmt(st, S_VOTE);

	sqlite3_bind_int64(s, 1, proposal);
	sqlite3_bind_int64(s, 2, member);
	sqlite3_bind_int(s, 3, choice);
	sqlite3_bind_int64(s, 4, at);
	return store_done(s);
}

/* Whether a member has voted on a proposal. */
int
store_voted(struct store *st, int64_t proposal, int64_t member)
{
	sqlite3_stmt *s = store_stmt(st, S_VOTED);
	int n = 0;

	sqlite3_bind_int64(s, 1, proposal);
	sqlite3_bind_int64(s, 2, member);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	return n > 0;
}

/* Adds a dispute; returns its id, or -1. */
int64_t
store_dispute_insert(struct store *st, int64_t allocation, int64_t by,
    int64_t against, const char *reason, int64_t grams, const char *note,
    time_t raised, time_t respond_by)
{
	sqlite3_stmt *s = store_stmt(st, S_DISPUTE_INSERT);

	sqlite3_bind_int64(s, 1, allocation);
	sqlite3_bind_int64(s, 2, by);
	sqlite3_bind_int64(s, 3, against);
	sqlite3_bind_text(s, 4, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, grams);
	sqlite3_bind_text(s, 6, note, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, raised);
	sqlite3_bind_int64(s, 8, respond_by);
	if (store_done(s) != 0)
		return -1;
	return sqlite3_last_insert_rowid(st->db);
}

json_t *
store_dispute_json(struct store *st, int64_t id)
{
	sqlite3_stmt *s = store_stmt(st, S_DISPUTE_JSON);

	sqlite3_bind_int64(s, 1, id);
	return store_json_one(s);
}

/* Lists disputes a member is party to (member 0: all). */
int
store_dispute_list(struct store *st, const struct store_filter *f,
    store_json_cb cb, void *arg)
{
	sqlite3_stmt *s = store_stmt(st, S_DISPUTE_LIST);

	sqlite3_bind_int64(s, 1, f->after);
	sqlite3_bind_int64(s, 2, f->member);
	sqlite3_bind_int(s, 3, f->open_only);
	sqlite3_bind_int(s, 4, f->limit);
	return store_json_each(s, cb, arg);
}

int
store_dispute_settle(struct store *st, int64_t id, int state,
    const char *outcome, time_t settled)
{
	sqlite3_stmt *s = store_stmt(st, S_DISPUTE_SETTLE);

	sqlite3_bind_int(s, 1, state);
	sqlite3_bind_text(s, 2, outcome, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, settled);
	sqlite3_bind_int64(s, 4, id);
	return store_done(s);
}

int
store_member_set_standing(struct store *st, int64_t member,
    const char *standing, time_t since)
{
	sqlite3_stmt *s = store_stmt(st, S_MEMBER_SET_STANDING);

	sqlite3_bind_text(s, 1, standing, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, since);
	sqlite3_bind_int64(s, 3, member);
	return store_done(s);
}

/* How many no-shows a member has had since a time. */
int64_t
store_noshows_since(struct store *st, int64_t member, time_t since)
{
	sqlite3_stmt *s = store_stmt(st, S_NOSHOWS_SINCE);
	int64_t n = -1;

	sqlite3_bind_int64(s, 1, member);
	sqlite3_bind_int64(s, 2, since);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return n;
}

/* Calls cb for each member on warning or restricted. */
int
store_standings_due(struct store *st, store_json_cb cb, void *arg)
{
	return store_json_each(store_stmt(st, S_STANDINGS_DUE), cb, arg);
}

/* Calls cb for each member whose catchment holds a district. */
int
store_members_covering(struct store *st, const char *district, store_json_cb cb,
    void *arg)
{
	sqlite3_stmt *s = store_stmt(st, S_MEMBERS_COVERING);

	sqlite3_bind_text(s, 1, district, -1, SQLITE_STATIC);
	return store_json_each(s, cb, arg);
}

/* Members who may vote: every member not suspended. */
int64_t
store_voter_count(struct store *st)
{
	return store_count(st, S_VOTER_COUNT);
}

int
store_member_by_id(struct store *st, int64_t id, struct member *m)
{
	sqlite3_stmt *s = store_stmt(st, S_MEMBER_BY_ID);

	sqlite3_bind_int64(s, 1, id);
	return store_member_one(s, m);
}

/* Opens a shared challenge; returns its id, or -1. */
int64_t
store_challenge_insert(struct store *st, const char *title, const char *by,
    time_t opened)
{
	sqlite3_stmt *s = store_stmt(st, S_CHALLENGE_INSERT);

	sqlite3_bind_text(s, 1, title, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, opened);
	if (store_done(s) != 0)
		return -1;
	return sqlite3_last_insert_rowid(st->db);
}

json_t *
store_challenge_json(struct store *st, int64_t id)
{
	sqlite3_stmt *s = store_stmt(st, S_CHALLENGE_JSON);

	sqlite3_bind_int64(s, 1, id);
	return store_json_one(s);
}

int
store_challenge_list(struct store *st, const struct store_filter *f,
    store_json_cb cb, void *arg)
{
	sqlite3_stmt *s = store_stmt(st, S_CHALLENGE_LIST);

	sqlite3_bind_int64(s, 1, f->after);
	sqlite3_bind_int(s, 2, f->open_only);
	sqlite3_bind_int(s, 3, f->limit);
	return store_json_each(s, cb, arg);
}

/* Closes a challenge: state 1 resolved, 2 not. */
int
store_challenge_close(struct store *st, int64_t id, int state, time_t at)
{
	sqlite3_stmt *s = store_stmt(st, S_CHALLENGE_CLOSE);

	sqlite3_bind_int(s, 1, state);
	sqlite3_bind_int64(s, 2, at);
	sqlite3_bind_int64(s, 3, id);
	return store_done(s);
}

/* Tags an offer, request or allocation with the challenge it serves. */
int
store_set_challenge(struct store *st, const char *what, int64_t id,
    int64_t challenge)
{
	enum stmt which = strcmp(what, "offer") == 0 ? S_OFFER_CHALLENGE
	    : strcmp(what, "request") == 0           ? S_REQUEST_CHALLENGE
	                                             : S_ALLOC_CHALLENGE;

	return store_set_int(st, which, id, challenge);
}

/*
 * Finds what a member's earlier request with this retry key answered:
 * the result (malloc'd JSON text) and, in *op, the operation it was.
 * NULL when the key is new.
 */
char *
store_key_get(struct store *st, int64_t member, const char *key, char **op)
{
	sqlite3_stmt *s = store_stmt(st, S_KEY_GET);
	char *result = NULL;

	*op = NULL;
	sqlite3_bind_int64(s, 1, member);
	sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW) {
		*op = strdup((const char *)sqlite3_column_text(s, 0));
		result = strdup((const char *)sqlite3_column_text(s, 1));
	}
	sqlite3_reset(s);
	return result;
}

/* Keeps a request's result under its retry key. */
int
store_key_put(struct store *st, int64_t member, const char *key, const char *op,
    const char *result, time_t at)
{
	sqlite3_stmt *s = store_stmt(st, S_KEY_PUT);

	sqlite3_bind_int64(s, 1, member);
	sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, op, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, result, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, at);
	return store_done(s);
}

/* Replaces a member's token hash (rotated or revoked). */
int
store_member_set_token(struct store *st, int64_t member,
    const unsigned char *hash)
{
	sqlite3_stmt *s = store_stmt(st, S_MEMBER_SET_TOKEN);

	sqlite3_bind_blob(s, 1, hash, STORE_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, member);
	return store_done(s);
}

/*
 * Counts every member's open offers (or requests) in one pass over the
 * open ones. Returns 0, or -1 with nothing kept.
 */
static int
store_count_open(struct store *st, int offers)
{
	struct store_open_of *o =
	    offers ? &st->open_offers : &st->open_requests;
	sqlite3_stmt *s = store_stmt(st,
	    offers ? S_OFFERS_OPEN_BY_DONOR : S_REQUESTS_OPEN_BY_MEMBER);
	int rc;

	store_forget_open(o);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (idmap_put(&o->map, sqlite3_column_int64(s, 0),
		        (size_t)sqlite3_column_int64(s, 1)) != 0)
			break;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_forget_open(o);
		return -1;
	}
	o->all = 1;
	o->passes++;
	return 0;
}

/*
 * Counts every member's open offers and requests now, so that the first
 * request to need a count does not wait for the pass over them all.
 */
int
store_open_counts_load(struct store *st)
{
	return store_count_open(st, 1) == 0 && store_count_open(st, 0) == 0
	    ? 0
	    : -1;
}

/* How many offers (what "offer") or requests a member has open. */
int64_t
store_open_count(struct store *st, const char *what, int64_t member)
{
	int offers = strcmp(what, "offer") == 0;
	struct store_open_of *o =
	    offers ? &st->open_offers : &st->open_requests;
	size_t kept;

	/* Kept from the last count, plus what was posted since. */
	if (idmap_get(&o->map, member, &kept))
		return (int64_t)kept;
	if (!o->all && store_count_open(st, offers) != 0)
		return -1;
	return idmap_get(&o->map, member, &kept) ? (int64_t)kept : 0;
}

/* Every stored rule: key -> {value, changed, decision}. */
json_t *
store_rules_json(struct store *st)
{
	return store_json_one(store_stmt(st, S_RULES_JSON));
}

/* Binds a number of an event's facts when it has it; else it stays NULL. */
static void
store_bind_fact(sqlite3_stmt *s, int i, const struct metrics_facts *f,
    unsigned bit, int64_t v)
{
	if (f->has & bit)
		sqlite3_bind_int64(s, i, v);
}

/* Binds an event's facts, in the order of EVENT_FACT_COLS, from i on. */
static void
store_event_bind_facts(sqlite3_stmt *s, int i, const struct metrics_facts *f)
{
	const char *text[] = {f->kind, f->member, f->donor, f->hub,
	    f->destination, f->cause, f->how};
	size_t t;

	for (t = 0; t < sizeof text / sizeof text[0]; t++, i++) {
		if (text[t] != NULL)
			sqlite3_bind_text(s, i, text[t], -1, SQLITE_STATIC);
	}
	if (f->week != 0)
		sqlite3_bind_int64(s, i, f->week);
	if (f->raised != 0)
		sqlite3_bind_int64(s, i + 1, f->raised);
	store_bind_fact(s, i + 2, f, METRICS_HAS_GRAMS, f->grams);
	store_bind_fact(s, i + 3, f, METRICS_HAS_OFFER, f->offer);
	store_bind_fact(s, i + 4, f, METRICS_HAS_ALLOCATION, f->allocation);
	store_bind_fact(s, i + 5, f, METRICS_HAS_PEOPLE, f->people);
	store_bind_fact(s, i + 6, f, METRICS_HAS_CHALLENGE, f->challenge);
	store_bind_fact(s, i + 7, f, METRICS_HAS_REVERSES, f->reverses_no_show);
	store_bind_fact(s, i + 8, f, METRICS_HAS_RESOLVED, f->resolved);
}

/* Appends one row to the exchange log, with its facts when given. */
int
store_event_insert(struct store *st, const struct store_event *ev)
{
	sqlite3_stmt *s;

	if (st->stmt[S_EVENT_INSERT] == NULL)
		return -1;
	s = store_stmt(st, S_EVENT_INSERT);
	sqlite3_bind_int64(s, 1, ev->seq);
	sqlite3_bind_int64(s, 2, ev->at);
	sqlite3_bind_text(s, 3, ev->body, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 4, ev->prev, STORE_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(s, 5, ev->hash, STORE_HASH_LEN, SQLITE_STATIC);
	if (ev->facts != NULL)
		store_event_bind_facts(s, 6, ev->facts);
	return store_done(s);
}

/* Reads the last event's seq and hash; seq 0 and zeroes when empty. */
int
store_event_last(struct store *st, int64_t *seq, unsigned char *hash)
{
	sqlite3_stmt *s = store_stmt(st, S_EVENT_LAST);
	int rc;

	*seq = 0;
	memset(hash, 0, STORE_HASH_LEN);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*seq = sqlite3_column_int64(s, 0);
		if (sqlite3_column_bytes(s, 1) == STORE_HASH_LEN)
			memcpy(hash, sqlite3_column_blob(s, 1), STORE_HASH_LEN);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/*
 * Calls cb for up to limit events after seq, in order. A hash or prev of
 * the wrong length is passed as NULL, for the verifier to report.
 */
int
store_event_scan(struct store *st, int64_t after, int limit, store_event_cb cb,
    void *arg)
{
	sqlite3_stmt *s = store_stmt(st, S_EVENT_SCAN);
	struct store_event ev;
	int rc;

	sqlite3_bind_int64(s, 1, after);
	sqlite3_bind_int(s, 2, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		ev.seq = sqlite3_column_int64(s, 0);
		ev.at = (time_t)sqlite3_column_int64(s, 1);
		ev.body = (const char *)sqlite3_column_text(s, 2);
		ev.prev = sqlite3_column_bytes(s, 3) == STORE_HASH_LEN
		    ? sqlite3_column_blob(s, 3)
		    : NULL;
		ev.hash = sqlite3_column_bytes(s, 4) == STORE_HASH_LEN
		    ? sqlite3_column_blob(s, 4)
		    : NULL;
		if (ev.body == NULL)
			ev.body = "";
		ev.facts = NULL;
		if (cb(arg, &ev) != 0)
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* Whether the store keeps events' facts (a read-only older one does not). */
int
store_event_has_facts(struct store *st)
{
	return st->stmt[S_EVENT_FACTS] != NULL;
}

/* Reads a number of an event's facts, flagging it in *has unless NULL. */
static int64_t
store_fact(sqlite3_stmt *s, int col, unsigned bit, unsigned *has)
{
	if (sqlite3_column_type(s, col) == SQLITE_NULL)
		return 0;
	*has |= bit;
	return sqlite3_column_int64(s, col);
}

/* Reads the facts of an event row from col on (strings borrowed from s). */
static void
store_event_read_facts(sqlite3_stmt *s, int col, struct metrics_facts *f)
{
	const char **text[] = {&f->kind, &f->member, &f->donor, &f->hub,
	    &f->destination, &f->cause, &f->how};
	size_t t;

	memset(f, 0, sizeof *f);
	for (t = 0; t < sizeof text / sizeof text[0]; t++, col++)
		*text[t] = (const char *)sqlite3_column_text(s, col);
	f->week = (time_t)sqlite3_column_int64(s, col);
	f->raised = (time_t)sqlite3_column_int64(s, col + 1);
	f->grams = store_fact(s, col + 2, METRICS_HAS_GRAMS, &f->has);
	f->offer = store_fact(s, col + 3, METRICS_HAS_OFFER, &f->has);
	f->allocation = store_fact(s, col + 4, METRICS_HAS_ALLOCATION, &f->has);
	f->people = store_fact(s, col + 5, METRICS_HAS_PEOPLE, &f->has);
	f->challenge = store_fact(s, col + 6, METRICS_HAS_CHALLENGE, &f->has);
	f->reverses_no_show =
	    (int)store_fact(s, col + 7, METRICS_HAS_REVERSES, &f->has);
	f->resolved =
	    (int)store_fact(s, col + 8, METRICS_HAS_RESOLVED, &f->has);
}

/*
 * Calls cb for up to limit events after seq, in order, with their kept
 * facts (at included) and no prev or hash. The body is read only for
 * events whose facts are nested (metrics_nested); it is NULL otherwise.
 */
int
store_event_facts_scan(struct store *st, int64_t after, int limit,
    store_event_cb cb, void *arg)
{
	struct metrics_facts facts;
	struct store_event ev;
	sqlite3_stmt *s;
	int rc;

	if (!store_event_has_facts(st))
		return -1;
	s = store_stmt(st, S_EVENT_FACTS);
	sqlite3_bind_int64(s, 1, after);
	sqlite3_bind_int(s, 2, limit);
	memset(&ev, 0, sizeof ev);
	ev.facts = &facts;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		ev.seq = sqlite3_column_int64(s, 0);
		ev.at = (time_t)sqlite3_column_int64(s, 1);
		store_event_read_facts(s, 3, &facts);
		facts.at = ev.at;
		ev.body = metrics_nested(facts.kind)
		    ? (const char *)sqlite3_column_text(s, 2)
		    : NULL;
		if (cb(arg, &ev) != 0)
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* When the first event happened; INT64_MAX when there is none. */
int64_t
store_event_first_at(struct store *st)
{
	int64_t at = store_count(st, S_EVENT_FIRST_AT);

	return at < 0 ? INT64_MAX : at;
}

int64_t
store_event_count(struct store *st)
{
	return store_count(st, S_EVENT_COUNT);
}

static const char *const storage_names[] = {"ambient", "chilled", "frozen"};

/* Returns the name of a single storage bit. */
const char *
storage_name(unsigned bit)
{
	size_t i;

	for (i = 0; i < sizeof storage_names / sizeof storage_names[0]; i++) {
		if (bit == 1U << i)
			return storage_names[i];
	}
	return "unknown";
}

/* Turns one storage word into its bit; -1 for an unknown word. */
int
storage_parse(const char *word, unsigned *bit)
{
	size_t i;

	for (i = 0; i < sizeof storage_names / sizeof storage_names[0]; i++) {
		if (strcmp(word, storage_names[i]) == 0) {
			*bit = 1U << i;
			return 0;
		}
	}
	return -1;
}

/* Writes a storage mask as a comma list, e.g. "ambient,chilled". */
char *
storage_format(unsigned mask, char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof storage_names / sizeof storage_names[0]; i++) {
		if ((mask & (1U << i)) == 0)
			continue;
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0,
		    "%s%s", off > 0 ? "," : "", storage_names[i]);
	}
	return buf;
}

/*
 * Reads storage as the exchange log writes it, a list of words (or one
 * word), into a mask; words it does not know are left out.
 */
unsigned
storage_mask(const json_t *v)
{
	unsigned mask = 0, bit;
	json_t *w;
	size_t i;

	if (json_is_string(v))
		return storage_parse(json_string_value(v), &bit) == 0 ? bit : 0;
	json_array_foreach(v, i, w)
	{
		if (json_is_string(w) &&
		    storage_parse(json_string_value(w), &bit) == 0)
			mask |= bit;
	}
	return mask;
}

/* A storage mask as the exchange log writes it: a list of words. */
json_t *
storage_json(unsigned mask)
{
	json_t *list = json_array();
	size_t i, n = sizeof storage_names / sizeof storage_names[0];

	for (i = 0; list != NULL && i < n; i++) {
		if (mask & (1U << i))
			json_array_append_new(list,
			    json_string(storage_names[i]));
	}
	return list;
}

const char *
offer_state_name(enum offer_state state)
{
	static const char *const names[] = {"open", "allocated", "closed",
	    "expired", "withdrawn"};

	return (unsigned)state < 5 ? names[state] : "unknown";
}

const char *
alloc_state_name(enum alloc_state state)
{
	static const char *const names[] = {"proposed", "accepted", "declined",
	    "lapsed", "collected", "no_show"};

	return (unsigned)state < 6 ? names[state] : "unknown";
}

const char *
request_state_name(enum request_state state)
{
	static const char *const names[] = {"open", "fulfilled", "cancelled",
	    "expired"};

	return (unsigned)state < 4 ? names[state] : "unknown";
}

/*
 * Copies the database at from into the file at to with SQLite's online
 * backup: one read transaction, so the copy is consistent even while
 * larderd keeps writing (WAL lets it). An existing file at to is
 * replaced.
 */
int
store_backup(const char *from, const char *to, char **cause)
{
	sqlite3 *src = NULL, *dst = NULL;
	sqlite3_backup *b;
	int rc = SQLITE_ERROR, tries = 0;

	if (sqlite3_open_v2(from, &src, SQLITE_OPEN_READONLY, NULL) !=
	        SQLITE_OK ||
	    sqlite3_open_v2(to, &dst,
	        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
	        NULL) != SQLITE_OK) {
		asprintf(cause, "%s",
		    sqlite3_errmsg(
		        src != NULL && sqlite3_errcode(src) != SQLITE_OK
		            ? src
		            : dst));
		goto out;
	}
	sqlite3_busy_timeout(src, 5000);
	sqlite3_busy_timeout(dst, 5000);
	if ((b = sqlite3_backup_init(dst, "main", src, "main")) == NULL) {
		asprintf(cause, "%s", sqlite3_errmsg(dst));
		goto out;
	}
	do {
		rc = sqlite3_backup_step(b, -1);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(50);
	} while ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && ++tries < 100);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE)
		asprintf(cause, "%s", sqlite3_errstr(rc));
out:
	sqlite3_close(src);
	sqlite3_close(dst);
	return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * Checks a database file: SQLite's integrity check, a schema this larderd
 * understands, and how many members and events it holds.
 */
int
store_check(const char *path, int64_t *members, int64_t *events, char **cause)
{
	struct store st;
	int64_t version;
	sqlite3_stmt *s = NULL;
	int rc = -1;

	memset(&st, 0, sizeof st);
	if (sqlite3_open_v2(path, &st.db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		asprintf(cause, "%s: %s", path, sqlite3_errmsg(st.db));
		goto out;
	}
	if (sqlite3_prepare_v2(st.db, "PRAGMA integrity_check", -1, &s, NULL) !=
	        SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW ||
	    strcmp((const char *)sqlite3_column_text(s, 0), "ok") != 0) {
		asprintf(cause, "%s: the integrity check failed", path);
		goto out;
	}
	if (store_pragma_int(&st, "PRAGMA user_version", &version) != 0 ||
	    version < 1 || version > STORE_SCHEMA_VERSION) {
		asprintf(cause,
		    "%s: not a Larder database this version can "
		    "read",
		    path);
		goto out;
	}
	if (store_pragma_int(&st, "SELECT count(*) FROM members", members) !=
	        0 ||
	    store_pragma_int(&st, "SELECT count(*) FROM events", events) != 0) {
		asprintf(cause, "%s: %s", path, sqlite3_errmsg(st.db));
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	sqlite3_close(st.db);
	return rc;
}
