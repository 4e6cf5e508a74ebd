/* SPDX-License-Identifier: MIT */
/*
 * st_merge_test.c - contact merges (store/st_merge.c) through store.h: suggestions with each
 * kind of evidence (email on the contact or an email identity, phone digits on the contact or
 * a WhatsApp identity, name and location, an order reference from ingest), never a merged
 * contact or a dismissed pair; the merge and undo round trip (identities, conversations,
 * fields, the search index), a conversation a moved identity starts after the merge going
 * back with it, an edited field staying, and the refusals (blocked with not blocked, merged
 * twice, a later merge in force, undone twice).
 */
#include "base/base.h"

#include "fixture.h"

static int64_t
ingest(struct store *st, int64_t ch, const char *type, const char *ext, const char *from,
       const char *name, const char *thread, const char *text, int64_t *conv)
{
    struct inbound in = fx_inbound(ch, ext, from, text);
    in.channel_type = type;
    in.from_name = str_c(name);
    if (thread)
        in.thread_id = str_c(thread);
    struct ingest_result r = { 0 };
    CHECK_INT(store_ingest(st, &in, &r), 0);
    if (conv)
        *conv = r.conversation_id;
    return r.contact_id;
}

static int64_t
contact_of(struct store *st, struct arena *ar, int64_t conv)
{
    struct conv c;
    CHECK_INT(store_conv_get(st, ar, conv, &c), 0);
    return c.contact_id;
}

static const char *
kinds(struct arena *ar, const struct merge_suggestion *s)
{
    char *out = arena_strdup(ar, "");
    for (size_t i = 0; i < s->nev; i++)
        out = arena_printf(ar, "%s%s%s", out, i ? "," : "", s->ev[i].kind);
    return out;
}

/* Contacts whose search row matches 'q' (contact_fts, as search reads it). */
static size_t
fts_hits(struct store *st, struct arena *ar, const char *q, int64_t conv)
{
    struct conv_filter f = { .q = q, .limit = 50, .blocked = CONV_BLOCKED_ANY };
    struct conv *v;
    size_t n;
    int64_t a, b;
    CHECK_INT(store_conv_list(st, ar, &f, &v, &n, &a, &b), 0);
    size_t hits = 0;
    for (size_t i = 0; i < n; i++)
        hits += v[i].id == conv;
    return hits;
}

TEST(suggestions_with_evidence)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t wa = fx_channel(st, "whatsapp"), em = fx_channel(st, "email"),
            api = fx_channel(st, "api");
    int64_t ann = ingest(st, wa, "whatsapp", "w1", "4930123456", "Ann", NULL,
                         "Hi, order #12345 is late", NULL);
    int64_t mail = ingest(st, em, "email", "e1", "ann@example.com", "Ann Lee", NULL,
                          "About order 12345", NULL);
    int64_t other = ingest(st, api, "api", "a1", "u1", "Someone", NULL, "hello", NULL);
    int64_t bob1 = ingest(st, api, "api", "a2", "u2", "Bob Ray", NULL, "hi", NULL);
    int64_t bob2 = ingest(st, api, "api", "a3", "u3", "bob ray", NULL, "hi", NULL);
    /* The API contact has the same email (other case) and the WhatsApp number as its phone. */
    struct contact upd = { .email = "ANN@example.com", .phone = "+49 (30) 123-456" };
    CHECK_INT(store_contact_update(st, other, &upd), 0);
    struct contact loc = { .location = "Berlin" };
    CHECK_INT(store_contact_update(st, bob1, &loc), 0);
    loc.location = "BERLIN";
    CHECK_INT(store_contact_update(st, bob2, &loc), 0);

    struct merge_suggestion *v;
    size_t n;
    CHECK_INT(store_merge_suggestions(st, ar, ann, &v, &n), 0);
    CHECK_INT(n, 2);
    /* The most evidence first: the API contact shares the phone; the email contact the
     * order reference (and the other's email, but that is not Ann's). */
    CHECK_INT(v[0].contact.id, mail < other ? mail : other);
    CHECK_INT(store_merge_suggestions(st, ar, mail, &v, &n), 0);
    CHECK_INT(n, 2);
    CHECK_INT(v[0].contact.id, ann);
    CHECK_STR(kinds(ar, &v[0]), "order_ref");
    CHECK_STR(v[0].ev[0].value, "#12345");
    CHECK_INT(v[1].contact.id, other);
    CHECK_STR(kinds(ar, &v[1]), "email");
    CHECK_STR(v[1].ev[0].value, "ann@example.com");
    CHECK_INT(store_merge_suggestions(st, ar, other, &v, &n), 0);
    CHECK_INT(n, 2);
    CHECK_STR(kinds(ar, &v[0]), "phone");
    CHECK_STR(v[0].ev[0].value, "4930123456");
    CHECK_INT(v[0].contact.nids, 1); /* with identities */
    CHECK_INT(store_merge_suggestions(st, ar, bob1, &v, &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(v[0].contact.id, bob2);
    CHECK_STR(kinds(ar, &v[0]), "name_location");
    /* Dismissed: never again, from either side. */
    CHECK_INT(store_merge_dismiss(st, bob2, bob1, 0), 0);
    CHECK_INT(store_merge_dismiss(st, bob2, bob1, 0), 0); /* twice is fine */
    CHECK_INT(store_merge_suggestions(st, ar, bob1, &v, &n), 0);
    CHECK_INT(n, 0);
    CHECK_INT(store_merge_suggestions(st, ar, bob2, &v, &n), 0);
    CHECK_INT(n, 0);
    CHECK_INT(store_merge_dismiss(st, bob1, bob1, 0), ERR_INVAL);
    CHECK_INT(store_merge_dismiss(st, bob1, 9999, 0), ERR_NOTFOUND);
    CHECK_INT(store_merge_suggestions(st, ar, 9999, &v, &n), ERR_NOTFOUND);
    arena_free(ar);
    store_close(st);
}

TEST(merge_and_undo_round_trip)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t wa = fx_channel(st, "whatsapp"), em = fx_channel(st, "email");
    int64_t c1, c2, c3, c4;
    int64_t ann = ingest(st, wa, "whatsapp", "w1", "4930123456", "Ann", NULL, "hi", &c1);
    int64_t mail = ingest(st, em, "email", "e1", "ann@example.com", "Ann Lee", "t1",
                          "About my parcel", &c2);
    struct contact f = { .email = "ann@example.com", .location = "Hamburg", .tags = "[\"vip\"]" };
    CHECK_INT(store_contact_update(st, mail, &f), 0);
    struct contact mine = { .phone = "+4930123456" };
    CHECK_INT(store_contact_update(st, ann, &mine), 0);
    CHECK(fts_hits(st, ar, "ann@example.com", c1) == 0);

    int64_t m = 0;
    enum merge_conflict why;
    CHECK_INT(store_contact_merge(st, ann, ann, 0, NULL, &m, &why), ERR_INVAL);
    CHECK_INT(store_contact_merge(st, ann, 9999, 0, NULL, &m, &why), ERR_NOTFOUND);
    CHECK_INT(store_contact_merge(st, ann, mail, 0, "[{\"kind\":\"email\",\"value\":\"x\"}]", &m,
                                  &why), 0);
    CHECK(m > 0);
    struct contact k;
    CHECK_INT(store_contact_get(st, ar, ann, &k), 0);
    CHECK_INT(k.nids, 2);
    CHECK_STR(k.email, "ann@example.com"); /* filled */
    CHECK_STR(k.location, "Hamburg");
    CHECK_STR(k.tags, "[\"vip\"]");
    CHECK_STR(k.phone, "+4930123456"); /* its own kept */
    CHECK_STR(k.name, "Ann");
    CHECK_INT(contact_of(st, ar, c2), ann);
    struct conv cv;
    CHECK_INT(store_conv_get(st, ar, c1, &cv), 0);
    CHECK_STR(cv.store, "Hamburg"); /* the filled location is the store of all of them */
    struct contact o;
    CHECK_INT(store_contact_get(st, ar, mail, &o), 0);
    CHECK_INT(o.merged_into, ann);
    CHECK_INT(o.nids, 0);
    CHECK_STR(o.location, "Hamburg"); /* its own fields untouched */
    /* The email reaches Ann's conversations (searched whole: PostgreSQL's 'simple' parser keeps
     * an address as one word, where FTS5 split it). */
    CHECK(fts_hits(st, ar, "ann@example.com", c1) == 1);
    struct contact_merge cm;
    CHECK_INT(store_contact_merge_get(st, ar, m, &cm), 0);
    CHECK_INT(cm.identities, 1);
    CHECK_INT(cm.conversations, 1);
    CHECK_STR(cm.evidence, "[{\"kind\":\"email\",\"value\":\"x\"}]");
    CHECK_INT(store_contact_merge(st, ann, mail, 0, NULL, &m, &why), ERR_CONFLICT);
    CHECK_INT(why, MERGE_ALREADY_MERGED);
    struct contact *list;
    size_t n;
    CHECK_INT(store_contact_list(st, ar, NULL, NULL, 50, 0, &list, &n), 0);
    CHECK_INT(n, 1); /* the merged contact is out of the list */

    /* After the merge: the email identity writes in its thread and starts a new one; Ann's
     * WhatsApp starts one too; someone edits the filled location. */
    int64_t cx;
    ingest(st, em, "email", "e2", "ann@example.com", "Ann Lee", "t1", "Any news?", &cx);
    CHECK_INT(cx, c2);
    CHECK_INT(ingest(st, em, "email", "e3", "ann@example.com", "Ann Lee", "t2", "New one", &c3),
              ann);
    ingest(st, wa, "whatsapp", "w2", "4930123456", "Ann", "wt", "More", &c4);
    struct contact edit = { .location = "Bremen" };
    CHECK_INT(store_contact_update(st, ann, &edit), 0);

    const char *kept = NULL;
    CHECK_INT(store_contact_merge_undo(st, ar, m, 0, &kept, &why), 0);
    CHECK_STR(kept, "[\"location\"]");
    CHECK_INT(store_contact_get(st, ar, ann, &k), 0);
    CHECK_INT(k.nids, 1);
    CHECK(k.email == NULL); /* back to empty */
    CHECK_STR(k.tags, "[]");
    CHECK_STR(k.location, "Bremen"); /* edited since: stays */
    CHECK_INT(store_contact_get(st, ar, mail, &o), 0);
    CHECK_INT(o.merged_into, 0);
    CHECK_INT(o.nids, 1);
    CHECK_INT(contact_of(st, ar, c1), ann);
    CHECK_INT(contact_of(st, ar, c2), mail);
    CHECK_INT(contact_of(st, ar, c3), mail); /* started by a moved identity: goes back */
    CHECK_INT(contact_of(st, ar, c4), ann);  /* started by Ann's own: stays */
    CHECK_INT(store_conv_get(st, ar, c1, &cv), 0);
    CHECK_STR(cv.store, "Bremen"); /* Ann's location as edited */
    CHECK_INT(store_conv_get(st, ar, c2, &cv), 0);
    CHECK_STR(cv.store, "Hamburg");
    CHECK_INT(store_conv_get(st, ar, c3, &cv), 0);
    CHECK_STR(cv.store, "Hamburg"); /* the other contact's location again */
    CHECK(fts_hits(st, ar, "ann@example.com", c1) == 0);
    CHECK(fts_hits(st, ar, "ann@example.com", c2) == 1);
    CHECK_INT(store_contact_merge_undo(st, ar, m, 0, &kept, &why), ERR_CONFLICT);
    CHECK_INT(why, MERGE_UNDONE);
    CHECK_INT(store_contact_merge_undo(st, ar, 9999, 0, &kept, &why), ERR_NOTFOUND);
    struct contact_merge *hist;
    CHECK_INT(store_contact_merges(st, ar, mail, &hist, &n), 0);
    CHECK_INT(n, 1);
    CHECK(hist[0].undone_at > 0);
    arena_free(ar);
    store_close(st);
}

TEST(merge_refusals)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t ch = fx_channel(st, "api");
    int64_t ca, cd;
    int64_t a = ingest(st, ch, "api", "m1", "u1", "A", NULL, "hi", &ca);
    int64_t b = ingest(st, ch, "api", "m2", "u2", "B", NULL, "hi", NULL);
    struct contact koeln = { .location = "Köln" };
    CHECK_INT(store_contact_update(st, b, &koeln), 0);
    struct conv cv;
    int64_t c = ingest(st, ch, "api", "m3", "u3", "C", NULL, "hi", NULL);
    int64_t m1, m2, m3;
    enum merge_conflict why;
    CHECK_INT(store_contact_block(st, c, 0, "spam"), 0);
    CHECK_INT(store_contact_merge(st, a, c, 0, NULL, &m1, &why), ERR_CONFLICT);
    CHECK_INT(why, MERGE_BLOCKED);
    CHECK_INT(store_contact_merge(st, a, b, 0, NULL, &m1, &why), 0);
    CHECK_INT(store_conv_get(st, ar, ca, &cv), 0);
    CHECK_STR(cv.store, "Köln");
    CHECK_INT(store_contact_merge(st, c, b, 0, NULL, &m2, &why), ERR_CONFLICT);
    CHECK_INT(why, MERGE_ALREADY_MERGED);
    int64_t d = ingest(st, ch, "api", "m4", "u4", "D", NULL, "hi", &cd);
    CHECK_INT(store_contact_merge(st, d, a, 0, NULL, &m2, &why), 0);
    const char *kept;
    CHECK_INT(store_contact_merge_undo(st, ar, m1, 0, &kept, &why), ERR_CONFLICT);
    CHECK_INT(why, MERGE_LATER);
    CHECK_INT(store_contact_merge_undo(st, ar, m2, 0, &kept, &why), 0);
    CHECK_INT(store_conv_get(st, ar, cd, &cv), 0);
    CHECK(cv.store == NULL); /* D had no location: its conversation's store is back to none */
    CHECK_INT(store_conv_get(st, ar, ca, &cv), 0);
    CHECK_STR(cv.store, "Köln");
    CHECK_INT(store_contact_merge_undo(st, ar, m1, 0, &kept, &why), 0);
    CHECK_INT(store_conv_get(st, ar, ca, &cv), 0);
    CHECK(cv.store == NULL);
    /* Both blocked: one blocked person. */
    CHECK_INT(store_contact_block(st, a, 0, "spam"), 0);
    CHECK_INT(store_contact_merge(st, a, c, 0, NULL, &m3, &why), 0);
    struct contact k;
    CHECK_INT(store_contact_get(st, ar, a, &k), 0);
    CHECK_STR(k.status, "blocked");
    arena_free(ar);
    store_close(st);
}

int
main(void)
{
    RUN(suggestions_with_evidence);
    RUN(merge_and_undo_round_trip);
    RUN(merge_refusals);
    return test_done();
}
