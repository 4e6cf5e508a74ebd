/* SPDX-License-Identifier: MIT */
/*
 * load_platforms.c - benchmark client: webhooks in the Telegram, X or Twilio SMS format (or
 * the api channel's) over HTTP keep-alive, signed as each platform signs them (a copy of
 * bench/meta/load_meta.c with the body and signature per format).
 *
 *   load_platforms URL CHANNEL_ID SECRET CONNECTIONS SECONDS PREFIX FORMAT
 *
 * FORMAT is api (X-Hark-Signature), telegram (SECRET is the secret_token), x (SECRET is the
 * consumer secret) or sms (SECRET is the auth token; the signed URL is URL/hooks/CHANNEL_ID).
 * Each request carries one message. Prints one line: "ok=N errors=E secs=S rate=R p50_ms=A
 * p99_ms=B". Not part of hark; built by bench/65-platforms.sh.
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *url, *secret, *prefix, *format;
static long channel;
static double seconds;

struct worker {
    pthread_t th;
    int id;
    long ok, errors;
    double *lat;
    size_t nlat, cap;
};

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t
sink(char *p, size_t s, size_t n, void *arg)
{
    (void)p;
    (void)arg;
    return s * n;
}

static int
make_body(char *body, size_t size, int id, long i)
{
    const char *text = "Order %ld has not arrived yet, can you check the tracking?";
    char t[128];
    snprintf(t, sizeof(t), text, i);
    long ms = (long)time(NULL) * 1000;
    if (strcmp(format, "telegram") == 0)
        return snprintf(body, size,
                        "{\"update_id\":%ld,\"message\":{\"message_id\":%ld,\"from\":{\"id\":%d%04ld,"
                        "\"is_bot\":false,\"first_name\":\"Customer\",\"username\":\"c%ld\"},\"chat\":{"
                        "\"id\":%d%04ld,\"type\":\"private\"},\"date\":%ld,\"text\":\"%s %s\"}}",
                        (long)id * 100000000L + i, (long)id * 100000000L + i, id + 1, i % 1000,
                        i % 1000, id + 1, i % 1000, ms / 1000, prefix, t);
    if (strcmp(format, "x") == 0)
        return snprintf(body, size,
                        "{\"for_user_id\":\"2244994945\",\"direct_message_events\":[{\"type\":"
                        "\"message_create\",\"id\":\"%d%012ld\",\"created_timestamp\":\"%ld\","
                        "\"message_create\":{\"target\":{\"recipient_id\":\"2244994945\"},\"sender_id\""
                        ":\"38%04ld\",\"message_data\":{\"text\":\"%s %s\"}}}],\"users\":{\"38%04ld\":{"
                        "\"id\":\"38%04ld\",\"name\":\"Customer\",\"screen_name\":\"c%ld\"}}}",
                        id + 1, i, ms, i % 1000, prefix, t, i % 1000, i % 1000, i % 1000);
    if (strcmp(format, "sms") == 0) /* form-encoded; the text has no reserved characters */
        return snprintf(body, size,
                        "AccountSid=AC00000000000000000000000000000000&Body=Order+%ld+has+not+"
                        "arrived+yet+can+you+check+the+tracking&From=%%2B1415555%04ld"
                        "&MessageSid=SM%s%d%ld&NumMedia=0&To=%%2B14155550199",
                        i, i % 1000, prefix, id, i);
    return snprintf(body, size,
                    "{\"id\":\"%s-%d-%ld\",\"from\":{\"id\":\"c%ld\",\"name\":\"Customer %ld\"},"
                    "\"text\":\"%s\"}",
                    prefix, id, i, i % 1000, i % 1000, t);
}

/* The signature header line for 'body' in the current format. */
static void
sign(const char *body, int n, const char *target, char *hdr, size_t size)
{
    unsigned char mac[32];
    unsigned int mlen = 0;
    char b64[64];
    if (strcmp(format, "telegram") == 0) {
        snprintf(hdr, size, "X-Telegram-Bot-Api-Secret-Token: %s", secret);
    } else if (strcmp(format, "x") == 0) {
        HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)body, (size_t)n,
             mac, &mlen);
        EVP_EncodeBlock((unsigned char *)b64, mac, (int)mlen);
        snprintf(hdr, size, "x-twitter-webhooks-signature: sha256=%s", b64);
    } else if (strcmp(format, "sms") == 0) {
        /* URL + sorted names and decoded values; the body's names are already sorted. */
        char s[2048];
        size_t k = (size_t)snprintf(s, sizeof(s), "%s", target);
        for (const char *p = body; *p && k < sizeof(s) - 4;) {
            const char *amp = strchr(p, '&');
            const char *end = amp ? amp : p + strlen(p);
            for (const char *q = p; q < end && k < sizeof(s) - 4; q++) {
                if (*q == '=')
                    continue;
                if (*q == '+') {
                    s[k++] = ' ';
                } else if (*q == '%' && q + 2 < end) {
                    unsigned int v;
                    sscanf(q + 1, "%2x", &v);
                    s[k++] = (char)v;
                    q += 2;
                } else {
                    s[k++] = *q;
                }
            }
            p = amp ? amp + 1 : end;
        }
        HMAC(EVP_sha1(), secret, (int)strlen(secret), (const unsigned char *)s, k, mac, &mlen);
        EVP_EncodeBlock((unsigned char *)b64, mac, (int)mlen);
        snprintf(hdr, size, "X-Twilio-Signature: %s", b64);
    } else {
        HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)body, (size_t)n,
             mac, &mlen);
        int off = snprintf(hdr, size, "X-Hark-Signature: sha256=");
        for (int j = 0; j < 32; j++)
            snprintf(hdr + off + 2 * j, 3, "%02x", mac[j]);
    }
}

static void *
run(void *arg)
{
    struct worker *w = arg;
    CURL *h = curl_easy_init();
    char target[512], body[1024], hdr[160];
    snprintf(target, sizeof(target), "%s/hooks/%ld", url, channel);
    curl_easy_setopt(h, CURLOPT_URL, target);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    double end = now() + seconds;
    for (long i = 0; now() < end; i++) {
        int n = make_body(body, sizeof(body), w->id, i);
        sign(body, n, target, hdr, sizeof(hdr));
        struct curl_slist *hs = curl_slist_append(NULL, hdr);
        hs = curl_slist_append(hs, strcmp(format, "sms") == 0
                                       ? "Content-Type: application/x-www-form-urlencoded"
                                       : "Content-Type: application/json");
        hs = curl_slist_append(hs, "Expect:");
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hs);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)n);
        double t0 = now();
        CURLcode rc = curl_easy_perform(h);
        double dt = now() - t0;
        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        curl_slist_free_all(hs);
        if (rc == CURLE_OK && status == 200) {
            w->ok++;
            if (w->nlat == w->cap) {
                w->cap = w->cap ? w->cap * 2 : 4096;
                w->lat = realloc(w->lat, w->cap * sizeof(double));
            }
            w->lat[w->nlat++] = dt;
        } else {
            w->errors++;
        }
    }
    curl_easy_cleanup(h);
    return NULL;
}

static int
cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
    if (argc != 8) {
        fprintf(stderr, "usage: load_platforms URL CHANNEL_ID SECRET CONNECTIONS SECONDS PREFIX "
                        "api|telegram|x|sms\n");
        return 2;
    }
    url = argv[1];
    channel = strtol(argv[2], NULL, 10);
    secret = argv[3];
    int conns = atoi(argv[4]);
    seconds = strtod(argv[5], NULL);
    prefix = argv[6];
    format = argv[7];
    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct worker *w = calloc((size_t)conns, sizeof(*w));
    double t0 = now();
    for (int i = 0; i < conns; i++) {
        w[i].id = i;
        pthread_create(&w[i].th, NULL, run, &w[i]);
    }
    long ok = 0, errors = 0;
    size_t total = 0;
    for (int i = 0; i < conns; i++) {
        pthread_join(w[i].th, NULL);
        ok += w[i].ok;
        errors += w[i].errors;
        total += w[i].nlat;
    }
    double secs = now() - t0;
    double *all = malloc((total ? total : 1) * sizeof(double));
    size_t k = 0;
    for (int i = 0; i < conns; i++) {
        memcpy(all + k, w[i].lat, w[i].nlat * sizeof(double));
        k += w[i].nlat;
    }
    qsort(all, total, sizeof(double), cmp);
    double p50 = total ? all[total / 2] * 1000 : 0, p99 = total ? all[(size_t)(total * 0.99)] * 1000 : 0;
    printf("ok=%ld errors=%ld secs=%.2f rate=%.0f p50_ms=%.2f p99_ms=%.2f\n", ok, errors, secs,
           (double)ok / secs, p50, p99);
    return 0;
}
