/* SPDX-License-Identifier: MIT */
/* st_contact_test.c - contacts (store/st_contact.c) through store.h: contacts made by ingest,
 * search by name and handle (LIKE wildcards literal), keyset paging, identities, partial
 * updates and unknown ids. */
#include "base/base.h"

#include "fixture.h"

static int64_t
contact(struct store *st, int64_t ch, const char *ext, const char *from, const char *name,
        const char *handle)
{
    struct inbound in = fx_inbound(ch, ext, from, "hello");
    in.from_name = str_c(name);
    in.from_handle = str_c(handle);
    struct ingest_result r = { 0 };
    CHECK_INT(store_ingest(st, &in, &r), 0);
    return r.contact_id;
}

TEST(contact_search_and_paging)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t ch = fx_channel(st, "api");
    int64_t ann = contact(st, ch, "m1", "u1", "Ann Lee", "annie");
    contact(st, ch, "m2", "u2", "Bob 100%", "bob");
    contact(st, ch, "m3", "u3", "Carl", "carl_x");
    struct contact *v;
    size_t n;
    CHECK_INT(store_contact_list(st, ar, NULL, NULL, 50, 0, &v, &n), 0);
    CHECK_INT(n, 3);
    CHECK_INT(v[0].id, ann);
    CHECK_INT(store_contact_list(st, ar, NULL, "lee", 50, 0, &v, &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(store_contact_list(st, ar, NULL, "ANNIE", 50, 0, &v, &n), 0);
    CHECK_INT(n, 1); /* by handle, any case */
    CHECK_INT(store_contact_list(st, ar, NULL, "%", 50, 0, &v, &n), 0);
    CHECK_INT(n, 1); /* only "Bob 100%": the wildcard is literal */
    CHECK_INT(store_contact_list(st, ar, NULL, "a_l", 50, 0, &v, &n), 0);
    CHECK_INT(n, 0); /* '_' is literal too ("Carl" would match a wildcard) */
    CHECK_INT(store_contact_list(st, ar, NULL, NULL, 2, 0, &v, &n), 0);
    CHECK_INT(n, 2);
    CHECK_INT(store_contact_list(st, ar, NULL, NULL, 2, v[1].id, &v, &n), 0);
    CHECK_INT(n, 1);
    CHECK_STR(v[0].name, "Carl");
    arena_free(ar);
    store_close(st);
}

TEST(contact_get_and_update)
{
    struct store *st = fx_open();
    struct arena *ar = arena_new(1 << 20);
    int64_t ch = fx_channel(st, "api");
    int64_t id = contact(st, ch, "m1", "u1", "Ann Lee", "annie");
    struct contact c;
    CHECK_INT(store_contact_get(st, ar, id, &c), 0);
    CHECK_STR(c.name, "Ann Lee");
    CHECK_INT(c.nids, 1);
    CHECK_STR(c.ids[0].platform_id, "u1");
    CHECK_STR(c.ids[0].handle, "annie");
    struct contact upd = { .email = "ann@x.io", .tags = "[\"vip\"]", .status = "customer" };
    CHECK_INT(store_contact_update(st, id, &upd), 0);
    CHECK_INT(store_contact_get(st, ar, id, &c), 0);
    CHECK_STR(c.email, "ann@x.io");
    CHECK_STR(c.tags, "[\"vip\"]");
    CHECK_STR(c.status, "customer");
    CHECK_STR(c.name, "Ann Lee"); /* NULL keeps */
    CHECK_INT(store_contact_get(st, ar, 4242, &c), ERR_NOTFOUND);
    CHECK_INT(store_contact_update(st, 4242, &upd), ERR_NOTFOUND);
    arena_free(ar);
    store_close(st);
}

int
main(void)
{
    RUN(contact_search_and_paging);
    RUN(contact_get_and_update);
    return test_done();
}
