/* SPDX-License-Identifier: MIT */
/*
 * health.c - GET /healthz and GET /metrics (Prometheus text format).
 */
#include "base/base.h"
#include "api/api_int.h"

#include <strings.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/hub.h"
#include "base/procstat.h"
#include "bus/bus.h"
#include "buildinfo.h"
#include "store/store.h"

void
api__healthz(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    struct store_stats ss;
    store_stats(a->st, &ss);
    /* Degraded while the store cannot write (a full disk, I/O errors): the writer probes
     * every second and this turns back to ok by itself once a write succeeds. */
    bool ok = ss.writable;
    json_t *o = json_pack("{s:s,s:I,s:b}", "status", ok ? "ok" : "degraded", "writer_queue",
                          (json_int_t)ss.queue_depth, "store_writable", ok);
    if (!ok) {
        json_object_set_new(o, "reason", json_string("the store cannot write (disk full or I/O "
                                                     "errors); webhooks are answered 503"));
        json_object_set_new(o, "unwritable_since_ms", json_integer(ss.unwritable_since));
        http_add_header(r, "Retry-After", "5");
    }
    api__reply(r, ok ? 200 : 503, o);
}

static void
counter(struct buf *b, const char *name, const char *help, const char *type, uint64_t v)
{
    buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", name, help, name, type, name,
               (unsigned long long)v);
}

/* With a metrics-token, /metrics answers only "Authorization: Bearer <token>" (compared in
 * constant time); the figures say how busy the service is and which features it runs. */
static bool
metrics_allowed(struct http_req *r, const char *token)
{
    if (!token)
        return true;
    const char *authz = http_header(r, "Authorization");
    if (!authz || strncasecmp(authz, "Bearer ", 7) != 0)
        return false;
    const char *got = authz + 7;
    size_t n = strlen(token);
    return strlen(got) == n && str_ct_eq(got, token, n);
}

void
api__metrics(struct http_req *r, void *ctx)
{
    struct api *a = ctx;
    if (!metrics_allowed(r, a->cfg.metrics_token)) {
        http_add_header(r, "WWW-Authenticate", "Bearer realm=\"metrics\"");
        http_reply_error(r, ERR_AUTH, "want 'Authorization: Bearer <metrics-token>'");
        return;
    }
    struct care_metrics *m = care_metrics(a->care);
    struct auth_metrics *am = auth_metrics(care_auth(a->care));
    struct routing_metrics *rm = routing_metrics(care_routing(a->care));
    struct store_stats ss;
    struct outbox_counts oc = { 0 };
    struct buf b;

    store_stats(a->st, &ss);
    store_outbox_counts(a->st, &oc);
    buf_init(&b, 1 << 20);
    buf_printf(&b, "# HELP hark_ingest_messages_total Inbound webhook messages by result.\n"
                   "# TYPE hark_ingest_messages_total counter\n"
                   "hark_ingest_messages_total{result=\"accepted\"} %llu\n"
                   "hark_ingest_messages_total{result=\"duplicate\"} %llu\n"
                   "hark_ingest_messages_total{result=\"rejected\"} %llu\n",
               (unsigned long long)metrics_get(&m->ingest_accepted),
               (unsigned long long)metrics_get(&m->ingest_duplicate),
               (unsigned long long)metrics_get(&m->ingest_rejected));
    metrics_hist_render(&m->ingest_latency, "hark_ingest_duration_seconds",
                        "Webhook handling time until durable.", &b);
    counter(&b, "hark_store_queue_depth", "Write jobs waiting for the store writer.", "gauge",
            ss.queue_depth);
    counter(&b, "hark_store_batches_total", "Group commits.", "counter", ss.batches);
    counter(&b, "hark_store_jobs_total", "Write jobs committed.", "counter", ss.jobs);
    counter(&b, "hark_store_batches_lost_total",
            "Group commits whose transaction failed as a whole (nothing of them acknowledged).",
            "counter", ss.batches_lost);
    counter(&b, "hark_store_jobs_lost_total", "Write jobs failed with their batch.", "counter",
            ss.jobs_lost);
    counter(&b, "hark_store_writable", "1 while the store can write, 0 while it cannot.",
            "gauge", ss.writable ? 1 : 0);
    counter(&b, "hark_store_probes_total", "Probe writes while the store could not write.",
            "counter", ss.probes);
    counter(&b, "hark_hub_resyncs_total",
            "Events published out of sequence (the live ring was emptied and resynced).",
            "counter", a->hub ? hub_resyncs(a->hub) : 0);
    buf_printf(&b, "# HELP hark_store_batch_size Jobs per group commit.\n"
                   "# TYPE hark_store_batch_size histogram\n");
    uint64_t cum = 0;
    for (int i = 0; i < 8; i++) {
        cum += ss.batch_hist[i];
        if (i < 7)
            buf_printf(&b, "hark_store_batch_size_bucket{le=\"%d\"} %llu\n", (2 << i) - 1,
                       (unsigned long long)cum);
    }
    buf_printf(&b, "hark_store_batch_size_bucket{le=\"+Inf\"} %llu\n"
                   "hark_store_batch_size_sum %llu\nhark_store_batch_size_count %llu\n",
               (unsigned long long)cum, (unsigned long long)ss.jobs,
               (unsigned long long)ss.batches);
    buf_printf(&b, "# HELP hark_outbox_messages Replies in the outbox by state.\n"
                   "# TYPE hark_outbox_messages gauge\n"
                   "hark_outbox_messages{state=\"pending\"} %lld\n"
                   "hark_outbox_messages{state=\"sent\"} %lld\n"
                   "hark_outbox_messages{state=\"failed\"} %lld\n",
               (long long)oc.pending, (long long)oc.sent, (long long)oc.failed);
    counter(&b, "hark_outbox_attempts_total", "Delivery attempts.", "counter",
            metrics_get(&m->outbox_attempts));
    counter(&b, "hark_sse_clients", "Connected live-event streams.", "gauge",
            atomic_load(&a->sse_clients));
    counter(&b, "hark_events_last_seq", "Newest event sequence number.", "gauge",
            (uint64_t)hub_last_seq(a->hub));
    counter(&b, "hark_logins_failed_total", "Failed logins.", "counter",
            metrics_get(&am->logins_failed));
    counter(&b, "hark_logins_limited_total", "Logins refused by the rate limit.", "counter",
            metrics_get(&am->logins_limited));
    /* The unanswered-message guarantee and SLA timers. */
    int64_t unanswered = store_unanswered_count(a->st);
    counter(&b, "hark_unanswered_conversations",
            "Conversations whose last customer message has no human reply.", "gauge",
            unanswered > 0 ? (uint64_t)unanswered : 0);
    counter(&b, "hark_sla_breaches_total", "Response deadlines breached.", "counter",
            metrics_get(&rm->sla_breaches));
    /* The FAQ bot: since start, then per FAQ from the store (kept across restarts). */
    buf_printf(&b, "# HELP hark_faq_bot_events_total What the FAQ bot did since start.\n"
                   "# TYPE hark_faq_bot_events_total counter\n"
                   "hark_faq_bot_events_total{event=\"answered\"} %llu\n"
                   "hark_faq_bot_events_total{event=\"handed_off\"} %llu\n"
                   "hark_faq_bot_events_total{event=\"reopened\"} %llu\n"
                   "hark_faq_bot_events_total{event=\"held_back\"} %llu\n",
               (unsigned long long)metrics_get(&m->faqbot_answered),
               (unsigned long long)metrics_get(&m->faqbot_handoff),
               (unsigned long long)metrics_get(&m->faqbot_reopened),
               (unsigned long long)metrics_get(&m->faqbot_held_back));
    {
        struct arena *far = http_arena(r);
        struct store_faq *fv;
        size_t fn;
        if (store_faq_list(a->st, far, &fv, &fn) == 0 && fn) {
            buf_printf(&b, "# HELP hark_faq_bot_faq_total What the FAQ bot did with each FAQ "
                           "(answered, handed off after it, reopened after it, held back).\n"
                           "# TYPE hark_faq_bot_faq_total counter\n");
            for (size_t i = 0; i < fn; i++) {
                const char *ev[] = { "answered", "handed_off", "reopened", "held_back" };
                int64_t val[] = { fv[i].answered, fv[i].handed_off, fv[i].reopened,
                                  fv[i].held_back };
                for (size_t k = 0; k < 4; k++)
                    buf_printf(&b, "hark_faq_bot_faq_total{faq_id=\"%lld\",event=\"%s\"} "
                                   "%lld\n", (long long)fv[i].id, ev[k], (long long)val[k]);
            }
        }
    }
    int64_t queued = 0;
    store_route_queue_count(a->st, 0, &queued, NULL);
    counter(&b, "hark_routing_queued_conversations",
            "Conversations waiting for an agent with free capacity.", "gauge", (uint64_t)queued);
    counter(&b, "hark_routing_assigned_from_queue_total",
            "Queued conversations assigned as capacity freed.", "counter",
            metrics_get(&rm->route_from_queue));
    counter(&b, "hark_routing_failed_total", "Routing decisions that failed.", "counter",
            metrics_get(&rm->route_failed));
    /* Listening. */
    struct watch_metrics lm;
    watch_metrics(care_watch(a->care), &lm);
    counter(&b, "hark_listen_posts_total", "Posts seen by the listening matcher.", "counter",
            lm.posts);
    counter(&b, "hark_listen_matched_total", "Posts matching a listening query.", "counter",
            lm.matched);
    counter(&b, "hark_listen_mentions_total", "New mentions stored.", "counter", lm.mentions);
    counter(&b, "hark_listen_spikes_total", "Spike alerts stored.", "counter", lm.alerts);
    counter(&b, "hark_listen_sources_running", "Firehose sources being read.", "gauge",
            lm.sources_running);
    counter(&b, "hark_sla_timers_fired_total", "SLA warnings, breaches and snooze wake-ups.",
            "counter", metrics_get(&rm->sla_timers_fired));
    /* Connection limits and the handler pool. */
    if (a->srv) {
        struct http_server_stats hs;
        http_server_stats(a->srv, &hs);
        counter(&b, "hark_http_connections", "Open HTTP connections.", "gauge", hs.connections);
        counter(&b, "hark_http_streams", "Open streamed responses.", "gauge", hs.streams);
        counter(&b, "hark_http_queued_requests", "Requests waiting for a worker.", "gauge",
                hs.queued);
        counter(&b, "hark_http_refused_connection_limit_total",
                "Connections answered 503 for a connection limit.", "counter",
                hs.refused_over_limit);
        counter(&b, "hark_http_refused_busy_total",
                "Requests answered 503 because the worker queue was full.", "counter",
                hs.refused_busy);
        counter(&b, "hark_http_request_timeouts_total",
                "Connections closed for not sending a complete request in time.", "counter",
                hs.timed_out);
    }
    counter(&b, "hark_arena_cap_exceeded_total",
            "Requests and jobs that ran past their arena cap (each failed alone).", "counter",
            arena_cap_exceeded_total());
    counter(&b, "hark_store_stmt_evictions_total",
            "Prepared statements evicted from a full statement cache.", "counter",
            ss.stmt_evictions);
    /* Issue 20: build, process and per-route figures. */
#if defined(__SANITIZE_ADDRESS__)
    const char *flavour = "asan";
#else
    const char *flavour = "release";
#endif
    buf_printf(&b, "# HELP hark_build_info The running build (the value is always 1).\n"
                   "# TYPE hark_build_info gauge\n"
                   "hark_build_info{version=\"%s\",revision=\"%s\",build=\"%s\"} 1\n",
               buildinfo_version, buildinfo_git, flavour);
    struct procstat ps;
    if (procstat_read(&ps) == 0) {
        counter(&b, "process_resident_memory_bytes", "Resident memory size in bytes.", "gauge",
                ps.rss_bytes);
        counter(&b, "process_virtual_memory_bytes", "Virtual memory size in bytes.", "gauge",
                ps.vsize_bytes);
        counter(&b, "process_open_fds", "Open file descriptors.", "gauge", ps.open_fds);
        if (ps.max_fds)
            counter(&b, "process_max_fds", "Limit of open file descriptors.", "gauge",
                    ps.max_fds);
        counter(&b, "process_threads", "Threads of the process.", "gauge", ps.threads);
        buf_printf(&b, "# HELP process_cpu_seconds_total User and system CPU time in seconds.\n"
                       "# TYPE process_cpu_seconds_total counter\n"
                       "process_cpu_seconds_total %.2f\n",
                   ps.cpu_seconds);
        buf_printf(&b, "# HELP process_start_time_seconds Start time of the process since the "
                       "Unix epoch in seconds.\n# TYPE process_start_time_seconds gauge\n"
                       "process_start_time_seconds %.2f\n",
                   ps.start_time_seconds);
    }
    struct store_nudge_override *ov;
    size_t nov = 0;
    if (store_nudge_override_list(a->st, http_arena(r), &ov, &nov) == 0) {
        /* One series per agent who ever sent a reply despite a nudge (agents are few). */
        buf_printf(&b, "# HELP hark_reply_nudge_overridden_total Replies an agent sent anyway "
                       "despite a robotic-template nudge, by agent id.\n"
                       "# TYPE hark_reply_nudge_overridden_total counter\n");
        for (size_t i = 0; i < nov; i++)
            buf_printf(&b, "hark_reply_nudge_overridden_total{agent=\"%lld\"} %lld\n",
                       (long long)ov[i].agent_id, (long long)ov[i].count);
    }
    if (a->srv)
        http_server_metrics(a->srv, &b);
    bus_metrics_render(a->bus, &b);
    if (buf_error(&b) < 0) {
        buf_release(&b);
        http_reply_error(r, ERR_TOOBIG, "metrics larger than their buffer");
        return;
    }
    http_add_header(r, "Cache-Control", "no-store");
    http_reply(r, 200, "text/plain; version=0.0.4", b.p, b.len);
    buf_release(&b);
}
