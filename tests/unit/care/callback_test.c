/* SPDX-License-Identifier: MIT */
/* callback_test.c - phone callbacks (care/callback.c): phone numbers as people write them,
 * tokens, the slots of a calendar (zone, opening hours, holidays, the lead time, the 14 days)
 * and of the default hours, and the customer's answer: only an offered slot, once, with the
 * internal note the agent reads. Against a real store in a temporary directory. */
#include "base/base.h"

#include "base/arena.h"
#include "base/clock.h"
#include "care/care.h"
#include "store/store.h"

#include "../test.h"

static char dir[] = "/tmp/hark-callback-test-XXXXXX";

static int64_t
at(const char *iso)
{
    int64_t ms = 0;
    CHECK_INT(clock_parse_iso(str_c(iso), &ms), 0);
    return ms;
}

static const char *
iso(struct arena *ar, int64_t ms)
{
    char b[40];
    clock_fmt_iso(ms, b, sizeof(b));
    return arena_strdup(ar, b);
}

TEST(phone_numbers)
{
    static const struct {
        const char *in, *want; /* want NULL: refused */
    } cases[] = {
        { "+49 151 2345678", "+491512345678" },
        { "+1 (415) 555-0100", "+14155550100" },
        { "  +33.6.12.34.56.78", "+33612345678" },
        { "+491512345678901", "+491512345678901" }, /* 15 digits, E.164's most */
        { "+4915123456789012", NULL },
        { "0151 2345678", NULL },
        { "+49", NULL },
        { "+0151 2345678", NULL },
        { "+49 151 CALL ME", NULL },
        { "+49 151 2345678 ext. 5", NULL },
        { "+1234567", NULL },
        { "", NULL },
    };
    for (size_t i = 0; i < COUNTOF(cases); i++) {
        char out[CARE_CALLBACK_PHONE_MAX];
        bool ok = care_callback_phone(cases[i].in, out);
        CHECK_INT(ok, cases[i].want != NULL);
        if (ok && cases[i].want)
            CHECK_STR(out, cases[i].want);
    }
}

TEST(tokens)
{
    char t1[CARE_CALLBACK_TOKEN_LEN + 1], t2[CARE_CALLBACK_TOKEN_LEN + 1], h1[65], h2[65];
    care_callback_token(t1, h1);
    care_callback_token(t2, h2);
    CHECK_INT(strlen(t1), CARE_CALLBACK_TOKEN_LEN);
    CHECK_INT(strlen(h1), 64);
    CHECK(strcmp(t1, t2) != 0);
    CHECK(strcmp(h1, h2) != 0);
    CHECK(care_callback_token_ok(t1));
    CHECK(!care_callback_token_ok("short"));
    t2[5] = '/';
    CHECK(!care_callback_token_ok(t2));
    CHECK(!care_callback_token_ok(NULL));
}

TEST(slots_and_answer)
{
    char url[256];
    snprintf(url, sizeof(url), "sqlite:%s/callback.db", dir);
    struct store_config scfg = { .url = url };
    struct store *st = NULL;
    CHECK_INT(store_open(&scfg, NULL, &st, NULL), 0);
    struct care *c;
    struct care_config cfg = { 0 };
    CHECK_INT(care_new(&cfg, st, NULL, &c), 0);
    struct arena *ar = arena_new(1 << 20);

    /* Tokyo, weekdays 09:00-10:00, a holiday on Tuesday 8 December. */
    struct store_range r[] = { { 1, 540, 600 }, { 2, 540, 600 }, { 3, 540, 600 },
                               { 4, 540, 600 }, { 5, 540, 600 } };
    struct store_calendar cal = { .name = "Phones", .tz = "Asia/Tokyo", .hours = "{}",
                                  .holidays = "[\"2026-12-08\"]", .ranges = r, .nranges = 5 };
    int64_t cal_id = 0;
    CHECK_INT(store_calendar_put(st, 0, &cal, &cal_id), 0);
    int64_t *v;
    size_t n;
    const char *tz;
    /* Friday 09:00 in Tokyo: the lead hour passes today's hour, so Monday is first. */
    CHECK_INT(care_callback_slots(c, ar, cal_id, at("2026-12-04T00:00:00Z"), &v, &n, &tz), 0);
    CHECK_STR(tz, "Asia/Tokyo");
    CHECK_INT(n, 16); /* 9 weekdays before 18 December 00:00 UTC, less the holiday, 2 each */
    CHECK_STR(iso(ar, v[0]), "2026-12-07T00:00:00.000Z");
    CHECK_STR(iso(ar, v[1]), "2026-12-07T00:30:00.000Z");
    CHECK_STR(iso(ar, v[2]), "2026-12-09T00:00:00.000Z"); /* not the holiday */
    CHECK_STR(iso(ar, v[15]), "2026-12-17T00:30:00.000Z");
    /* A slot starts on the half hour, an hour or more ahead. */
    CHECK_INT(care_callback_slots(c, ar, cal_id, at("2026-12-06T23:10:00Z"), &v, &n, &tz), 0);
    CHECK_STR(iso(ar, v[0]), "2026-12-07T00:30:00.000Z");

    /* No calendar (or a deleted one): weekdays 09:00-17:00 UTC, at most 48. */
    CHECK_INT(care_callback_slots(c, ar, 0, at("2026-12-05T12:00:00Z"), &v, &n, &tz), 0);
    CHECK_STR(tz, "UTC");
    CHECK_INT(n, CARE_CALLBACK_SLOTS_MAX);
    CHECK_STR(iso(ar, v[0]), "2026-12-07T09:00:00.000Z");
    CHECK_STR(iso(ar, v[15]), "2026-12-07T16:30:00.000Z");
    CHECK_STR(iso(ar, v[16]), "2026-12-08T09:00:00.000Z");
    CHECK_STR(iso(ar, v[47]), "2026-12-09T16:30:00.000Z");
    CHECK_INT(care_callback_slots(c, ar, cal_id + 99, at("2026-12-05T12:00:00Z"), &v, &n, &tz), 0);
    CHECK_STR(tz, "UTC");

    /* The answer: an offer on a conversation, then only an offered slot, once. */
    struct channel ch = { .type = "api", .name = "Shop", .secret = "s3cret", .settings = "{}" };
    CHECK_INT(care_channel_add(c, &ch, &ch.id), 0);
    struct inbound in = { .channel_id = ch.id, .channel_type = "api",
                          .external_id = STR_LIT("m1"), .from_id = STR_LIT("lena"),
                          .from_name = STR_LIT("Lena Berg"), .text = STR_LIT("call me?") };
    struct ingest_result res;
    CHECK_INT(care_ingest(c, ar, &in, &res), 0);
    char tok[CARE_CALLBACK_TOKEN_LEN + 1], hash[65];
    care_callback_token(tok, hash);
    struct store_callback cb = { .conversation_id = res.conversation_id, .token_hash = hash };
    int64_t id = 0, msg_id = 0, got = 0;
    CHECK_INT(care_callback_offer(c, &cb, STR_LIT("Pick a time: https://x/callback/t"), &id,
                                  &msg_id), 0);
    CHECK(cb.expires_at > clock_now_ms() + CARE_CALLBACK_TTL_MS - 60000);
    CHECK_INT(care_callback_slots(c, ar, 0, clock_now_ms(), &v, &n, &tz), 0);
    CHECK(n > 3);
    CHECK_INT(care_callback_accept(c, tok, "+491512345678", v[2] + 60000, NULL, &got), ERR_INVAL);
    CHECK_INT(care_callback_accept(c, "nope", "+491512345678", v[2], NULL, &got), ERR_NOTFOUND);
    CHECK_INT(care_callback_accept(c, tok, "+491512345678", v[2], "after 10", &got), 0);
    CHECK_INT(got, id);
    CHECK_INT(care_callback_accept(c, tok, "+491512345678", v[2], NULL, &got), ERR_NOTFOUND);
    struct msg *msgs;
    size_t nm;
    int64_t older;
    CHECK_INT(store_msg_list(st, ar, res.conversation_id, 0, 50, &msgs, &nm, &older), 0);
    CHECK(nm >= 3);
    CHECK_STR(msgs[nm - 1].kind, "note");
    CHECK(strncmp(msgs[nm - 1].text, "Lena asked to be called on +491512345678 at ", 44) == 0);
    CHECK(strstr(msgs[nm - 1].text, "(UTC). Their note: after 10") != NULL);
    CHECK_INT(care_callback_done(c, id, 0, true), 0);
    CHECK_INT(care_callback_done(c, id + 99, 0, true), ERR_NOTFOUND);

    arena_free(ar);
    care_free(c);
    store_close(st);
}

int
main(void)
{
    if (!mkdtemp(dir))
        return 1;
    RUN(phone_numbers);
    RUN(tokens);
    RUN(slots_and_answer);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return test_done();
}
