#!/usr/bin/env python3
# classify-quality.py - triage quality on public sets it never trained on, beside Debian's
# fastText CLI and a VADER-style lexicon in the same run, language id on English airline tweets
# (CLI and API alike), and the learning curve of corrections (active vs random).
#
#   tools/classify-quality.py quality --airline Tweets.csv --data ../shared/data [--before DIR]
#   tools/classify-quality.py curve   --airline Tweets.csv [--seeds 1,2,3]
#
# The sets (measurement only; research or non-commercial licences, never shipped or trained on
# by default):
#   airline   Twitter US Airline Sentiment (Crowdflower "Data for Everyone", 14,640 tweets,
#             CC BY-NC-SA 4.0): airline_sentiment is the gold sentiment; a tweet is a gold
#             complaint when its sentiment is negative (annotators then named the problem:
#             late flight, lost luggage, rude service...).
#   tweeteval TweetEval sentiment validation (2,000 general tweets), ../shared/data/tweeteval.
# Our figures come from `hark model predict --models DIR`, the same path as ingest. fastText
# trains on the same shipped files (build/classify-data/{intent,sentiment}.all) with the
# benchmark's settings. The lexicon is VADER's word list (../shared/data/lexicons, MIT) with
# negation and a +-0.05 neutral band.
#
# Standard library only. Prints a report; --json FILE also writes the figures.
import argparse
import csv
import hashlib
import hmac
import http.client
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SENTS = ["negative", "neutral", "positive"]


def die(msg):
    sys.exit("classify-quality: " + msg)


def one_line(t):
    return " ".join(t.split())


def load_airline(path):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows or "airline_sentiment" not in rows[0] or "text" not in rows[0]:
        die(f"{path}: not the airline sentiment CSV (tweet_id, airline_sentiment, text...)")
    return [(r["tweet_id"], r["airline_sentiment"], one_line(r["text"])) for r in rows]


def load_tweeteval(data):
    d = os.path.join(data, "tweeteval", "sentiment")
    with open(os.path.join(d, "val_text.txt"), encoding="utf-8") as f:
        texts = [one_line(x) for x in f.read().split("\n")[:-1]]
    with open(os.path.join(d, "val_labels.txt"), encoding="utf-8") as f:
        labels = [SENTS[int(x)] for x in f.read().split()]
    if len(texts) != len(labels):
        die("tweeteval: texts and labels differ in number")
    return list(zip(labels, texts))


def f1s(gold, pred, labels=None):
    """Macro-F1 over the labels of 'gold' (as scikit-learn with y_true's labels) and per-label F1."""
    labels = labels or sorted(set(gold))
    per = {}
    for c in labels:
        tp = sum(1 for g, p in zip(gold, pred) if g == c and p == c)
        np_ = sum(1 for p in pred if p == c)
        ng = sum(1 for g in gold if g == c)
        pr = tp / np_ if np_ else 0.0
        rc = tp / ng if ng else 0.0
        per[c] = {"f1": 2 * pr * rc / (pr + rc) if pr + rc else 0.0, "precision": pr, "recall": rc}
    return sum(per[c]["f1"] for c in labels) / len(labels), per


def run(cmd, inp=None):
    r = subprocess.run(cmd, input=inp, capture_output=True, text=True)
    if r.returncode != 0:
        die(" ".join(cmd) + ": " + r.stderr.strip())
    return r.stdout


def triage(hark, models, texts):
    out = run([hark, "model", "predict", "--models", models], "\n".join(texts) + "\n")
    return [json.loads(x) for x in out.splitlines()]


# --- fastText ---------------------------------------------------------------------------------

def fasttext_model(train, work, name):
    out = os.path.join(work, name)
    subprocess.run(["fasttext", "supervised", "-input", train, "-output", out, "-bucket", "1048576",
                    "-wordNgrams", "2", "-minn", "3", "-maxn", "5", "-epoch", "10", "-lr", "0.5",
                    "-dim", "100", "-thread", "1", "-verbose", "0"], check=True)
    return out + ".bin"


def fasttext_predict(model, texts, work):
    p = os.path.join(work, "ft-in.txt")
    with open(p, "w", encoding="utf-8") as f:
        f.write("\n".join(texts) + "\n")
    out = run(["fasttext", "predict", model, p])
    return [x.replace("__label__", "") for x in out.splitlines()]


# --- VADER-style lexicon ----------------------------------------------------------------------

NEGATORS = {"not", "no", "never", "nothing", "nobody", "none", "cannot", "cant", "can't", "dont",
            "don't", "doesnt", "doesn't", "didnt", "didn't", "isnt", "isn't", "wasnt", "wasn't",
            "wont", "won't", "wouldnt", "wouldn't", "aint", "ain't", "havent", "haven't"}


class Lexicon:
    def __init__(self, data):
        self.v = {}
        with open(os.path.join(data, "lexicons", "vader_lexicon.txt"), encoding="utf-8") as f:
            for line in f:
                p = line.rstrip("\n").split("\t")
                if len(p) >= 2:
                    self.v[p[0]] = float(p[1])

    def label(self, text):
        words = re.findall(r"[a-z']+|[^\sa-z0-9]", re.sub(r"(@\w+|https?://\S+)", " ", text.lower()))
        s = 0.0
        for i, w in enumerate(words):
            x = self.v.get(w)
            if x is None:
                continue
            if any(p in NEGATORS for p in words[max(0, i - 3):i]):
                x *= -0.74
            s += x
        c = s / (s * s + 15) ** 0.5
        return "positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral"


# --- the API path: ingest through a running server --------------------------------------------

def api_triage(hark, models, texts, work):
    """Posts every text to a scratch server's API channel (POST /hooks/{id}, signed) and reads
    what ingest stored: (lang, intent, intent_conf) per text, in order."""
    db = os.path.join(work, "api.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    run([hark, "agent", "add", "--db", db, "--email", "bench@example.com", "--name", "Bench",
         "--role", "admin", "--password-stdin"], "bench-password-1\n")
    token = run([hark, "token", "create", "--db", db, "--name", "bench"]).strip()
    log = open(os.path.join(work, "api.log"), "w")
    srv = subprocess.Popen([hark, "serve", "--listen", "127.0.0.1:0", "--db", db, "--models", models],
                           stdout=log, stderr=subprocess.STDOUT)
    try:
        url = None
        for _ in range(400):
            with open(os.path.join(work, "api.log"), encoding="utf-8", errors="replace") as f:
                m = re.findall(r'msg="listening" url=http://([^ ]+)', f.read())
            if m:
                url = m[-1]
                break
            if srv.poll() is not None:
                die("hark serve exited; see " + os.path.join(work, "api.log"))
            time.sleep(0.05)
        if not url:
            die("hark serve did not start")
        host, port = url.rstrip("/").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=30)

        def call(method, path, body, headers):
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            data = r.read()
            if r.status >= 300:
                die(f"{method} {path}: {r.status} {data[:200]!r}")
            return json.loads(data) if data else None

        ch = call("POST", "/api/v1/channels", json.dumps({"type": "api", "name": "Bench"}),
                  {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        secret = ch["secret"].encode()
        ids = []
        for i, t in enumerate(texts):
            body = json.dumps({"id": f"q{i}", "from": {"id": f"u{i}", "name": "Ann"}, "text": t}).encode()
            sig = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
            r = call("POST", f"/hooks/{ch['id']}", body,
                     {"Content-Type": "application/json", "X-Hark-Signature": sig})
            ids.append(r["message_id"])
        conn.close()
    finally:
        srv.terminate()
        srv.wait()
        log.close()
    with sqlite3.connect(db) as c:
        got = {mid: (lang, intent, conf) for mid, lang, intent, conf in
               c.execute("SELECT id, lang, intent, intent_conf FROM message")}
    return [got[i] for i in ids]


# --- quality ----------------------------------------------------------------------------------

def scores(name, air_sent, air_intent, te_sent, air, te):
    gold_air = [s for _, s, _ in air]
    gold_te = [s for s, _ in te]
    a_f1, a_per = f1s(gold_air, air_sent)
    t_f1, t_per = f1s(gold_te, te_sent)
    gold_c = ["complaint" if s == "negative" else "no" for s in gold_air]
    pred_c = ["complaint" if i == "complaint" else "no" for i in air_intent]
    _, c_per = f1s(gold_c, pred_c, ["complaint"])
    non_neg = [p for g, p in zip(gold_c, pred_c) if g == "no"]
    n_q = sum(1 for _, _, t in air if t.rstrip().endswith("?"))
    return {
        "name": name,
        "airline_sentiment_macro_f1": a_f1,
        "airline_neutral_recall": a_per["neutral"]["recall"],
        "tweeteval_sentiment_macro_f1": t_f1,
        "tweeteval_neutral_recall": t_per["neutral"]["recall"],
        "complaint_f1": c_per["complaint"]["f1"],
        "complaint_share": pred_c.count("complaint") / len(pred_c),
        "complaint_overcall": non_neg.count("complaint") / len(non_neg),
        "intents": {k: air_intent.count(k) / len(air_intent) for k in sorted(set(air_intent))},
        "questions": n_q,
    }


def report_row(r):
    print(f"  {r['name']:<24} airline sentiment macro-F1 {r['airline_sentiment_macro_f1']:.3f}"
          f" (neutral recall {r['airline_neutral_recall']:.2f})  TweetEval {r['tweeteval_sentiment_macro_f1']:.3f}"
          f" (neutral recall {r['tweeteval_neutral_recall']:.2f})")
    if r.get("complaint_f1") is not None:
        print(f"  {'':<24} complaint F1 {r['complaint_f1']:.3f}  predicted complaint "
              f"{100 * r['complaint_share']:.1f}% (gold 62.7%)  over-call (non-negative tweets "
              f"called complaint) {100 * r['complaint_overcall']:.1f}%")


def lang_figures(preds):
    n = len(preds)
    und = sum(1 for x in preds if x in ("", "und"))
    wrong = sum(1 for x in preds if x not in ("", "und", "en"))
    return {"und": und / n, "wrong": wrong / n, "und_or_wrong": (und + wrong) / n}


def cmd_quality(a):
    work = a.work
    os.makedirs(work, exist_ok=True)
    air = load_airline(a.airline)
    te = load_tweeteval(a.data)
    air_texts = [t for _, _, t in air]
    te_texts = [t for _, t in te]
    out = {"airline_tweets": len(air), "tweeteval_tweets": len(te), "rows": []}
    print(f"triage quality (airline {len(air):,} tweets, TweetEval sentiment validation {len(te):,}):")

    runs = []
    if a.before:
        runs.append(("hark before", os.path.join(a.before, "hark"), a.before))
    runs.append(("hark (shipped models)", a.hark, a.models))
    for name, hark, models in runs:
        t0 = time.time()
        ta = triage(hark, models, air_texts)
        dt = time.time() - t0
        tt = triage(hark, models, te_texts)
        r = scores(name, [x["sentiment"] for x in ta], [x["intent"] for x in ta],
                   [x["sentiment"] for x in tt], air, te)
        r["lang"] = lang_figures([x["lang"] for x in ta])
        r["texts_per_s"] = len(air_texts) / dt
        report_row(r)
        print(f"  {'':<24} language: und {100 * r['lang']['und']:.2f}%  wrong {100 * r['lang']['wrong']:.2f}%"
              f"  (und or wrong {100 * r['lang']['und_or_wrong']:.2f}% of English tweets)")
        if not a.no_api:
            api = api_triage(hark, models, air_texts, work)
            conf = "confidence" if "confidence" in ta[0] else "intent_conf"
            r["cli_api_lang_disagree"] = sum(1 for c, x in zip(ta, api) if (c["lang"] or "und") != x[0])
            r["cli_api_any_disagree"] = sum(
                1 for c, x in zip(ta, api)
                if (c["lang"] or "und") != x[0] or c["intent"] != x[1] or abs(c[conf] - x[2]) > 1e-4)
            print(f"  {'':<24} CLI vs API (ingest, {len(api):,} tweets): language differs on "
                  f"{r['cli_api_lang_disagree']}, language/intent/confidence on {r['cli_api_any_disagree']}")
        out["rows"].append(r)

    ft_s = fasttext_model(os.path.join(a.sets, "sentiment.all"), work, "ft-sentiment")
    ft_i = fasttext_model(os.path.join(a.sets, "intent.all"), work, "ft-intent")
    r = scores("fastText (same data)", fasttext_predict(ft_s, air_texts, work),
               fasttext_predict(ft_i, air_texts, work), fasttext_predict(ft_s, te_texts, work), air, te)
    report_row(r)
    out["rows"].append(r)

    lex = Lexicon(a.data)
    r = scores("VADER-style lexicon", [lex.label(t) for t in air_texts], ["no"] * len(air_texts),
               [lex.label(t) for t in te_texts], air, te)
    r["complaint_f1"] = None
    report_row(r)
    out["rows"].append(r)

    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=1)


# --- learning curve ---------------------------------------------------------------------------

TRAIN_OPTS = ["--buckets", "262144", "--word-ngrams", "2", "--minn", "3", "--maxn", "5",
              "--epochs", "10", "--lr", "0.3"]


def is_test(tweet_id):
    """The fixed test split: one tweet in five by a hash of its id (same on every run)."""
    return hashlib.sha256(tweet_id.encode()).digest()[0] % 5 == 0


def train(hark, shipped, corrections, weight, out, work):
    data = os.path.join(work, "train.txt")
    with open(shipped, encoding="utf-8") as f, open(data, "w", encoding="utf-8") as g:
        shutil.copyfileobj(f, g)
        for lab, text in corrections:
            g.write(f"__label__{lab} {text}\n" * weight)
    run([hark, "model", "train", "--quiet", "--data", data, "--out", out] + TRAIN_OPTS)


def predict(hark, model, texts):
    out = run([hark, "model", "predict", "--model", model, "--top", "2"], "\n".join(texts) + "\n")
    res = []
    for line in out.splitlines():
        j = json.loads(line)
        top = j["top"]
        res.append((j["label"], top[0][1] - (top[1][1] if len(top) > 1 else 0.0)))
    return res


def intent_gold(sent):
    # Airline annotators gave sentiment, not intent: a negative tweet names a problem (complaint);
    # for the others the simulated agent picks praise (positive) or question (neutral). An
    # approximation: some neutral tweets are requests or small talk.
    return {"negative": "complaint", "positive": "praise"}.get(sent, "question")


def curve_metric(kind, gold, pred):
    if kind == "sentiment":
        return f1s(gold, pred)[0]
    g = ["c" if x == "complaint" else "n" for x in gold]
    p = ["c" if x == "complaint" else "n" for x in pred]
    return f1s(g, p, ["c"])[0]


def cmd_curve(a):
    work = a.work
    os.makedirs(work, exist_ok=True)
    air = load_airline(a.airline)
    test = [(i, s, t) for i, s, t in air if is_test(i)]
    pool = [(i, s, t) for i, s, t in air if not is_test(i)]
    steps = [int(x) for x in a.steps.split(",")]
    seeds = [int(x) for x in a.seeds.split(",")]
    print(f"learning curve: {len(pool):,} tweets to correct, fixed test split of {len(test):,} "
          f"(sha256(tweet_id) % 5 == 0); retrain = shipped set + corrections x{a.weight}, "
          "shipped settings; active = lowest top1-top2 margin of the model first (as the review "
          "queue); scored through the full triage (`hark model predict --models`)")
    res = {}
    for kind in ("sentiment", "intent"):
        shipped = os.path.join(a.sets, f"{kind}.all")
        lab = (lambda s: s) if kind == "sentiment" else intent_gold
        gold_test = [lab(s) for _, s, _ in test]
        test_texts = [t for _, _, t in test]
        metric = "sentiment macro-F1" if kind == "sentiment" else "complaint F1"
        res[kind] = {}
        for strategy in ("active", "random"):
            rows = []
            for seed in seeds if strategy == "random" else seeds[:1]:
                chosen, model, row = [], os.path.join(a.models, f"{kind}.bin"), []
                order = list(range(len(pool)))
                random.Random(seed).shuffle(order)
                for n in steps:
                    if n > len(chosen):
                        if strategy == "random":
                            chosen = order[:n]
                        else:
                            left = [k for k in range(len(pool)) if k not in set(chosen)]
                            m = predict(a.hark, model, [pool[k][2] for k in left])
                            ranked = sorted(range(len(left)), key=lambda j: (m[j][1], left[j]))
                            chosen = chosen + [left[j] for j in ranked[:n - len(chosen)]]
                        model = os.path.join(work, f"{kind}-{strategy}-{seed}-{n}.bin")
                        train(a.hark, shipped, [(lab(pool[k][1]), pool[k][2]) for k in chosen],
                              a.weight, model, work)
                    # Scored as the server triages: the full path (calibration included) with
                    # this model beside the other kind's shipped one.
                    d = os.path.join(work, "eval-models")
                    os.makedirs(d, exist_ok=True)
                    other = "intent" if kind == "sentiment" else "sentiment"
                    shutil.copyfile(model, os.path.join(d, f"{kind}.bin"))
                    shutil.copyfile(os.path.join(a.models, f"{other}.bin"), os.path.join(d, f"{other}.bin"))
                    pred = [x[kind] for x in triage(a.hark, d, test_texts)]
                    row.append(curve_metric(kind, gold_test, pred))
                rows.append(row)
            mean = [sum(r[i] for r in rows) / len(rows) for i in range(len(steps))]
            res[kind][strategy] = mean
            print(f"  {metric:<20} {strategy:<7}" + "".join(f"  {n:>5}: {v:.3f}" for n, v in zip(steps, mean))
                  + (f"   (mean of seeds {a.seeds})" if strategy == "random" and len(seeds) > 1 else ""))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"steps": steps, "test": len(test), "pool": len(pool), "curve": res}, f, indent=1)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("quality", "curve"):
        s = sub.add_parser(name)
        s.add_argument("--airline", required=True, help="Twitter US Airline Sentiment Tweets.csv")
        s.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data"))
        s.add_argument("--hark", default=os.path.join(ROOT, "build", "rel", "hark"))
        s.add_argument("--models", default=os.path.join(ROOT, "build", "models"))
        s.add_argument("--sets", default=os.path.join(ROOT, "build", "classify-data"))
        s.add_argument("--work", default=os.path.join(ROOT, "build", "classify-quality"))
        s.add_argument("--json")
    q = sub.choices["quality"]
    q.add_argument("--before", help="a folder with an older 'hark' binary and its intent.bin, sentiment.bin")
    q.add_argument("--no-api", action="store_true", help="skip the CLI-vs-API comparison")
    c = sub.choices["curve"]
    c.add_argument("--steps", default="0,100,300,1000")
    c.add_argument("--seeds", default="1,2,3")
    c.add_argument("--weight", type=int, default=3)
    a = p.parse_args()
    {"quality": cmd_quality, "curve": cmd_curve}[a.cmd](a)


if __name__ == "__main__":
    main()
