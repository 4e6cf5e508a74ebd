/* SPDX-License-Identifier: MIT */
/*
 * load_meta.c - benchmark client: signed webhooks in one platform's payload format over HTTP
 * keep-alive (a copy of bench/core/load.c with the body and signature header per format).
 *
 *   load_meta URL CHANNEL_ID SECRET CONNECTIONS SECONDS PREFIX FORMAT
 *
 * FORMAT is api (X-Hark-Signature), api-new (the same, but every message from a new contact,
 * so each opens a new conversation: bench/70-routing.sh), whatsapp, messenger or instagram
 * (X-Hub-Signature-256; SECRET is then the app secret). Each request carries one message, as
 * Meta usually sends.
 *
 * Each of CONNECTIONS threads reuses one libcurl handle (one kept-alive connection) and posts
 * unique messages as fast as the server acknowledges them, until SECONDS pass. Prints one
 * line: "ok=N errors=E secs=S rate=R p50_ms=A p99_ms=B". Not part of hark; built by
 * bench/10-core.sh.
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
    if (strcmp(format, "whatsapp") == 0)
        return snprintf(body, size,
                        "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"900000000000001\","
                        "\"changes\":[{\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{"
                        "\"display_phone_number\":\"15550001111\",\"phone_number_id\":\"800000000000002\"},"
                        "\"contacts\":[{\"profile\":{\"name\":\"Customer %ld\"},\"wa_id\":\"55119%ld\"}],"
                        "\"messages\":[{\"from\":\"55119%ld\",\"id\":\"wamid.%s-%d-%ld\",\"timestamp\":"
                        "\"%ld\",\"type\":\"text\",\"text\":{\"body\":\"%s\"}}]},\"field\":\"messages\"}]}]}",
                        i % 1000, i % 1000, i % 1000, prefix, id, i, ms / 1000, t);
    if (strcmp(format, "messenger") == 0 || strcmp(format, "instagram") == 0)
        return snprintf(body, size,
                        "{\"object\":\"%s\",\"entry\":[{\"id\":\"111222333444555\",\"time\":%ld,"
                        "\"messaging\":[{\"sender\":{\"id\":\"2468%ld\"},\"recipient\":{\"id\":"
                        "\"111222333444555\"},\"timestamp\":%ld,\"message\":{\"mid\":\"m_%s-%d-%ld\","
                        "\"text\":\"%s\"}}]}]}",
                        strcmp(format, "messenger") == 0 ? "page" : "instagram", ms, i % 1000, ms,
                        prefix, id, i, t);
    if (strcmp(format, "api-new") == 0)
        return snprintf(body, size,
                        "{\"id\":\"%s-%d-%ld\",\"from\":{\"id\":\"%s-c%ld\",\"name\":"
                        "\"Customer %ld\"},\"text\":\"%s\"}",
                        prefix, id, i, prefix, (long)id * 100000000L + i, i % 1000, t);
    return snprintf(body, size,
                    "{\"id\":\"%s-%d-%ld\",\"from\":{\"id\":\"c%ld\",\"name\":\"Customer %ld\"},"
                    "\"text\":\"%s\"}",
                    prefix, id, i, i % 1000, i % 1000, t);
}

static void *
run(void *arg)
{
    struct worker *w = arg;
    CURL *h = curl_easy_init();
    char target[512], body[1024], sig[100], hdr[128];
    snprintf(target, sizeof(target), "%s/hooks/%ld", url, channel);
    curl_easy_setopt(h, CURLOPT_URL, target);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    double end = now() + seconds;
    for (long i = 0; now() < end; i++) {
        int n = make_body(body, sizeof(body), w->id, i);
        unsigned char mac[32];
        unsigned int mlen = 0;
        HMAC(EVP_sha256(), secret, (int)strlen(secret), (unsigned char *)body, (size_t)n, mac, &mlen);
        snprintf(sig, sizeof(sig), "sha256=");
        for (int k = 0; k < 32; k++)
            snprintf(sig + 7 + 2 * k, 3, "%02x", mac[k]);
        snprintf(hdr, sizeof(hdr), "%s: %s",
                 strncmp(format, "api", 3) == 0 ? "X-Hark-Signature" : "X-Hub-Signature-256", sig);
        struct curl_slist *hs = curl_slist_append(NULL, hdr);
        hs = curl_slist_append(hs, "Content-Type: application/json");
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
        fprintf(stderr, "usage: load_meta URL CHANNEL_ID SECRET CONNECTIONS SECONDS PREFIX "
                        "api|whatsapp|messenger|instagram\n");
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
