/* SPDX-License-Identifier: MIT */
/*
 * store_int.h - shared by the files of store/ only: connections, the statement cache, the
 * writer's job interface and row decoding helpers. <sqlite3.h> and <libpq-fe.h> appear nowhere
 * else: the st_*.c files run their statements through db.h on either backend.
 */
#ifndef HARK_STORE_INT_H
#define HARK_STORE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "base/arena.h"
#include "store/db.h"
#include "store/store.h"

struct store_migration {
    int version;
    const char *name;
    const char *sql;
};
extern const struct store_migration store__migrations[];
extern const int store__nmigrations;
/* PostgreSQL's (src/store/schema/pg/): the baseline 027 equals SQLite's schema after 027; from
 * 028 on every migration exists in both folders under the same number. */
extern const struct store_migration store__pg_migrations[];
extern const int store__pg_nmigrations;

/* The statement cache: at most STORE__CACHE_MAX prepared statements per connection, found by
 * a hash of the SQL literal's address (STORE__CACHE_BUCKETS slots, open addressing). When it
 * is full, inserting a new statement finalizes the least recently used one that is not
 * mid-step (struct db_stmt_busy). The rule for callers: a statement returned by store__q stays
 * valid until STORE__CACHE_MAX - 1 other distinct statements have been fetched on the same
 * connection, so a caller may hold a few statements at once (nested loops) but must not keep
 * one across unrelated work; a statement being stepped is never evicted. The writer prepares
 * about 115 distinct statements today and a reader about 55 (tests/unit/store/
 * every_function_test.c runs them all), so eviction is rare; it is counted in store_stats'
 * 'stmt_evictions' (hark_store_stmt_evictions_total). */
#define STORE__CACHE_MAX 160
#define STORE__CACHE_BUCKETS 256 /* a power of two, > STORE__CACHE_MAX, <= 256 (uint8_t index) */

struct store__cached {
    const char *sql; /* a string literal: the cache key is its address */
    struct db_stmt *stmt;
    uint64_t used;   /* the connection's 'tick' at the last lookup */
};

struct pg_conn;

/* One connection and its prepared statements. Used by one thread at a time. */
struct store__conn {
    sqlite3 *db;         /* SQLite (sqlite.c); NULL on PostgreSQL */
    struct pg_conn *pg;  /* PostgreSQL (pg.c); NULL on SQLite */
    bool fk_failed;      /* the last failed step broke a foreign key (db_fk_failed) */
    struct store__cached cache[STORE__CACHE_MAX];
    size_t ncache;
    uint8_t index[STORE__CACHE_BUCKETS]; /* hash slot -> cache index + 1; 0: empty */
    uint64_t tick;                       /* lookups so far, for LRU */
    uint64_t evictions;                  /* statements finalized to make room */
    struct store *st;          /* owner: returns a reader to the pool, counts evictions */
    struct store__conn *next; /* in store->idle */
};

struct store__job;
struct store__pending_event;

/* What a write job sees: the writer connection, the transaction's clock and its events. */
struct store__tx {
    struct store *st;
    struct store__conn *c;
    struct store__job *job;
    int64_t now; /* wall clock at batch start, ms */
};

typedef int store__job_fn(struct store__tx *tx, void *arg);

struct store {
    char *path;       /* SQLite: the file (or shared-memory URI); PostgreSQL: the conninfo URL */
    bool pg;          /* the backend is PostgreSQL */
    char instance[96]; /* store_instance: "host:pid:random" */
    struct hub *hub;
    store_publish_fn *publish; /* store_set_publisher; NULL: hub_publish */
    void *publish_arg;
    size_t queue_max, batch_max;

    struct store__conn *writer; /* owned by the writer thread while it runs */
    pthread_t thread;
    pthread_mutex_t mu;          /* guards the queue, 'stopping' and stats */
    pthread_cond_t work;         /* signalled when jobs are queued */
    pthread_cond_t done;         /* broadcast after each batch */
    struct store__job *head, *tail;
    size_t depth;
    bool stopping;
    struct store_stats stats; /* 'writable' and 'unwritable_since' too */

    pthread_key_t reader_key;   /* this thread's read connection */
    pthread_mutex_t readers_mu; /* guards 'idle' and 'nidle' */
    struct store__conn *idle;   /* readers of finished threads, kept for reuse */
    size_t nidle;
    int64_t last_seq; /* writer-thread only after open */
    int64_t fts_mark; /* writer-thread only: messages up to this id are in message_fts */
    _Atomic uint64_t credentials_epoch; /* see store_credentials_epoch */
    uint64_t stmt_evictions; /* statement cache evictions, all connections (metrics_add) */
};

/* Opens a connection to the store's database: SQLite with Hark's pragmas ('writer' sets
 * synchronous=FULL), or PostgreSQL. */
int store__conn_open(struct store *st, bool writer, struct store__conn **out);
void store__conn_close(struct store__conn *c);
/* The backends' halves of it (sqlite.c, pg.c). */
int store__lite_open(const char *path, bool writer, sqlite3 **out);
void store__lite_close(sqlite3 *db);
int store__pg_open(const char *url, bool writer, struct pg_conn **out);
void store__pg_close(struct pg_conn *pc);
/* Prepares 'sql' on the backend of 'c' into 's' (lite or pg set); 'persistent' for the cache. */
int store__lite_prepare(struct store__conn *c, const char *sql, size_t len, bool persistent,
                        struct db_stmt *s);
int store__lite_exec(sqlite3 *db, const char *sql);
bool store__lite_tx_alive(sqlite3 *db);
int store__pg_exec(struct pg_conn *pc, const char *sql);
bool store__pg_tx_alive(struct pg_conn *pc);
/* Creates the first schema of the connection's search_path when it does not exist (a URL with
 * options=-csearch_path%3Dname keeps a store in its own schema). */
int store__pg_ensure_schema(struct pg_conn *pc);
bool store__pg_tx_failed(struct pg_conn *pc);
int store__pg_prepare(struct store__conn *c, const char *sql, size_t len, bool persistent,
                      struct db_stmt *s);
void store__pg_finalize(struct pg_stmt *s);
void store__pg_clear(struct pg_stmt *s);
int64_t store__pg_changes(struct pg_conn *pc);
/* COPY ... FROM STDIN on 'pc': begin with the COPY statement, put text-format rows, end
 * ('failure' not NULL: abandon the copy with that reason). 0 or ERR_* (logged). */
int store__pg_copy_begin(struct pg_conn *pc, const char *sql);
int store__pg_copy_put(struct pg_conn *pc, const char *p, size_t len);
int store__pg_copy_end(struct pg_conn *pc, const char *failure);
int64_t store__pg_last_id(struct store__conn *c);
/* Runs SQL text that returns no rows (a script on SQLite; one statement on PostgreSQL). */
int store__exec(struct store__conn *c, const char *sql);
/* True while the connection's transaction is open (on PostgreSQL: even when a statement in it
 * failed and it waits for a ROLLBACK TO). */
bool store__tx_alive(struct store__conn *c);
/* True when a statement failed inside the open transaction and only a ROLLBACK (TO) can go on
 * (PostgreSQL; never on SQLite, where a failed statement undoes only itself). */
bool store__tx_failed(struct store__conn *c);
/* The dialect's text of one statement: 'lite' on SQLite, 'pg' on PostgreSQL. Both must be
 * literals (the statement cache keys on the address). */
#define store__sql(c, lite, pgsql) ((c)->pg ? (pgsql) : (lite))
/* This thread's read connection: taken from the idle pool or opened on first use, and given
 * back to the pool when the thread exits (HTTP connection threads come and go). NULL only on
 * open failure. */
struct store__conn *store__reader(struct store *st);

/* Returns the cached statement for 'sql' (a literal), reset with bindings cleared; NULL on a
 * prepare error (logged). */
struct db_stmt *store__q(struct store__conn *c, const char *sql);
/* A step's result as 0 or ERR_*: DB_ROW and DB_DONE are 0. */
static inline int
store__err(int rc)
{
    return rc < 0 ? rc : 0;
}
/* Maps an SQLite result code to ERR_* (sqlite.c). */
int store__lite_err(int sqlite_rc);

/* Queues 'fn(tx, arg)' for the writer. With 'wait', blocks until its batch is durable and
 * returns the job's rc; otherwise 'arg' must be heap memory the job frees itself, and the
 * call returns 0 or ERR_BUSY. */
int store__submit(struct store *st, store__job_fn *fn, void *arg, bool wait);
/* Persists an event in the current transaction ('data' is malloc'd JSON text, stolen) and
 * queues it for publication after commit. */
int store__event(struct store__tx *tx, const char *type, char *data);

/* After a committed change that may end a credential: bumps the credentials epoch and wakes
 * every hub subscriber, so open event streams check their credential again (sqlite.c). */
void store__credentials_changed(struct store *st);

/* The writer thread's body (writer.c). */
void *store__writer_main(void *arg);

/* Applies pending migrations on the writer connection. */
int store__migrate(struct store__conn *c, struct errmsg *em);

/* Binding and decoding helpers. Empty slices with NULL 'p' bind as SQL NULL. */
void store__bind_str(struct db_stmt *s, int i, struct str v);
void store__bind_cstr(struct db_stmt *s, int i, const char *v);
/* The scope test on conversation alias 'c' (store_scope in store.h), with named parameters
 * bound by store__bind_scope; true for everything when the scope is NULL or unlimited. A named
 * parameter takes the number after the highest one before it, so a statement with it numbers
 * no parameter (?N) after it: later ones are named too. The store compares case-insensitively
 * (SQLite's NOCASE folds ASCII, as its lower() does; PostgreSQL indexes lower(store)). */
#define STORE_SCOPE_SQL                                                                            \
    " (:scope_lim = 0 OR c.assignee_id = :scope_agent OR lower(c.store) = lower(:scope_store)) "
void store__bind_scope(struct db_stmt *s, const struct store_scope *sc);
/* Conversation alias 'c' is not one of a blocked contact's (contact_blocked index). */
#define STORE_NOT_BLOCKED_SQL                                                                      \
    " c.contact_id NOT IN (SELECT id FROM contact WHERE status = 'blocked') "
/* Column text copied into the arena, or NULL for SQL NULL. */
const char *store__col(struct arena *ar, struct db_stmt *s, int i);

/* Steps a statement that returns no rows and resets it: 0 or ERR_*. */
int store__step_done(struct db_stmt *s);
/* Binds a LIKE pattern matching 'q' anywhere ("%q%", with % _ and \ escaped for
 * ESCAPE '\'). */
void store__bind_like(struct db_stmt *s, int i, const char *q);

/* Makes room for element 'n' of the arena array 'v', which holds '*cap' elements of 'size'
 * bytes: returns 'v' while it has room, else a copy with twice the room ('*cap' updated). List
 * reads grow with their table this way instead of stopping at a fixed count. */
static inline void *
store__grow(struct arena *ar, void *v, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return v;
    size_t ncap = *cap ? *cap * 2 : 16;
    void *w = arena_alloc(ar, ncap * size);
    if (n)
        memcpy(w, v, n * size);
    *cap = ncap;
    return w;
}
#define STORE__GROW(ar, v, n, cap) ((v) = store__grow((ar), (v), (n), &(cap), sizeof(*(v))))

/* Row readers shared by read paths and write jobs. */
/* A conversation row: STORE__CONV_COLS read by store__conv_row, from STORE__CONV_FROM (the
 * conversation is 'c', its contact 'ct', its channel 'ch'). */
#define STORE__CONV_COLS                                                                           \
    "c.id, c.channel_id, c.contact_id, c.assignee_id, c.status, c.public, c.priority, c.labels, " \
    "c.intent, c.sentiment, c.urgency, c.snooze_until, c.resolution_reason, c.preview, "          \
    "c.unread, c.message_count, c.last_message_at, c.created_at, c.updated_at, ct.name, "         \
    "ch.type, ch.name, c.last_inbound_at, c.store, c.linked_conversation_id, "                \
    "ct.status = 'blocked' "
#define STORE__CONV_JOINS                                                                          \
    "JOIN contact ct ON ct.id = c.contact_id JOIN channel ch ON ch.id = c.channel_id "
#define STORE__CONV_FROM "FROM conversation c " STORE__CONV_JOINS
void store__conv_row(struct arena *ar, struct db_stmt *s, struct conv *c);
/* Adds the outbox row of queued outbound message 'msg_id' on 'channel_id', due now, with a fresh
 * idempotency key (st_outbox.c). */
int store__outbox_add(struct store__tx *tx, int64_t msg_id, int64_t channel_id);
/* Inserts an automatic outbound message (no agent) into 'conv_id', queued with its outbox row:
 * the acknowledgement, the FAQ bot's answer ('bot_faq_id'; 0: not the bot's), a survey. The
 * caller bumps the conversation as it needs. */
int store__queue_auto(struct store__tx *tx, int64_t conv_id, int64_t channel_id, bool pub,
                      struct str text, int64_t bot_faq_id, int64_t *msg_id);
int store__conv_read(struct store__conn *c, struct arena *ar, int64_t id, struct conv *out);
/* The list filters (st_conv.c): every filter but q, label, cursor and order as " AND ..."
 * clauses over 'c', and their bindings (label's too, when the statement has :label). */
struct buf;
void store__conv_where(struct buf *sql, const struct conv_filter *f);
void store__conv_bind(struct db_stmt *s, const struct conv_filter *f);
/* Search (st_search.c): whether 'q' has a word to search for, and the search itself, which
 * store_conv_list hands a q with words to. */
bool store__search_words(const char *q);
int store__conv_search(struct store__conn *c, struct arena *ar, const struct conv_filter *f,
                       struct conv **out, size_t *n, int64_t *next_ts, int64_t *next_id);
int store__msg_read(struct store__conn *c, struct arena *ar, int64_t id, struct msg *out);
/* Writes message.created/updated plus conversation.updated events for 'msg_id'. */
int store__emit_msg(struct store__tx *tx, const char *type, int64_t msg_id);
int store__emit_conv(struct store__tx *tx, const char *type, int64_t conv_id);
/* conversation.updated for every conversation id that 's' (bound, not yet stepped) yields;
 * the ids are read first, so 's' is reset before any event is written. */
int store__emit_convs(struct store__tx *tx, struct db_stmt *s);


/* Shared by the files of the small admin tables (calendars, teams, profiles, SLA policies,
 * routing rules) and routing decisions. */

/* Binds 'id' at 'i', or SQL NULL when it is 0 (none). */
static inline void
store__bind_id(struct db_stmt *s, int i, int64_t id)
{
    if (id > 0)
        db_bind_i64(s, i, id);
    else
        db_bind_null(s, i);
}
/* After an UPDATE: ERR_NOTFOUND when no row changed. */
static inline int
store__changed(struct store__tx *tx)
{
    return db_changes(tx->c) > 0 ? 0 : ERR_NOTFOUND;
}
/* Maps a foreign-key failure to ERR_NOTFOUND (an unknown referenced id). */
static inline int
store__fk_err(struct store__tx *tx, int rc)
{
    if (rc == ERR_CONFLICT && db_fk_failed(tx->c))
        return ERR_NOTFOUND;
    return rc;
}
/* Parses a JSON array of strings into 'out' (strings in 'ar'); NULL or malformed text gives
 * an empty list. Plain arrays (no escapes) are parsed without SQL, others by json_each on 'c'
 * (row.c). */
void store__strs(struct store__conn *c, struct arena *ar, const char *json,
                 struct store_strs *out);

/* The insert-or-replace job of an admin table: 'id' 0 inserts; the row's id goes to 'out_id'. */
struct store__put_job {
    int64_t id;
    const void *obj;
    int64_t out_id;
};
/* The delete job of an admin table: ERR_CONFLICT while 'in_use' counts references to the
 * row, ERR_NOTFOUND when nothing was deleted (row.c). */
struct store__del_job {
    int64_t id;
    const char *in_use;  /* SQL counting references to ?1; NULL: none */
    const char *del;     /* SQL deleting ?1 */
};
int store__delete_tx(struct store__tx *tx, void *arg);

/* Rows any social listening list returns at most. */
#define STORE__LISTEN_ROWS_MAX 10000

#endif
