#!/bin/sh
# 40-classify.sh - the triage classifier beside Debian's fastText CLI, and our language id beside
# libexttextcat, on the same train/test splits in one run.
#
# Sets (tools/classify-data.py; every 5th Bitext row is test, XLM-T uses its own train/val):
#   bitext      Bitext customer-service utterances, 27 intents
#   tweets-en   XLM-T English tweet sentiment (negative/neutral/positive)
#   tweets-all  XLM-T tweet sentiment in 8 languages
# Both tools get the same features: word bigrams, character 3..5-grams, 2^20 hash buckets,
# 10 epochs, one thread (fastText: -dim 100, lr 0.5; ours: no hidden layer, lr 0.3 - each at its
# own best learning rate on these sets). Accuracy and macro-F1 come from the same awk script for
# both; throughput is wall time of the CLI predicting the test set repeated to >= 50,000 lines,
# minus the time to load the model (measured on an empty input). Ratios are ours / fastText (higher is better, except training time).
set -eu
cd "$(dirname "$0")/.."
HARK=${HARK:-./hark}
[ -x "$HARK" ] || HARK=build/rel/hark
DATA=${CLASSIFY_DATA:-../shared/data}
W=build/classify-bench
mkdir -p $W
if ! command -v fasttext >/dev/null; then
    echo "classify: fasttext not installed (apt-get install fasttext); skipped"
    exit 0
fi
python3 tools/classify-data.py $W
python3 tools/classify-data.py --research "$DATA" $W

now() { date +%s%N; }
secs() { echo "$1 $2" | awk '{ printf "%.2f", ($2 - $1) / 1e9 }'; }

# metrics GOLD PRED -> "accuracy macro_f1" (macro over the labels present in GOLD)
metrics() {
    paste -d ' ' "$1" "$2" | awk '
        { g = $1; p = $2; n++; gold[g]++; pred[p]++; if (g == p) { ok++; tp[g]++ } }
        END {
            for (c in gold) {
                pr = pred[c] ? tp[c] / pred[c] : 0; rc = tp[c] / gold[c]
                f += (pr + rc > 0) ? 2 * pr * rc / (pr + rc) : 0; k++
            }
            printf "%.4f %.4f", ok / n, f / k
        }'
}

row() { # name ours theirs [lower-is-better]
    awk -v n="$1" -v a="$2" -v b="$3" -v low="${4:-}" 'BEGIN {
        r = b > 0 ? a / b : 0
        printf "  %-26s %12s   fastText %12s   ratio %.2f%s\n", n, a, b, r,
               low ? " (lower is better)" : "" }'
}

for set in bitext tweets-en tweets-all; do
    tr=$W/$set.train; te=$W/$set.test
    sed 's/^__label__\([^ ]*\).*/\1/' "$te" > $W/$set.gold
    sed 's/^__label__[^ ]* //' "$te" > $W/$set.text
    reps=$(( 50000 / $(wc -l < "$te") + 1 ))
    : > $W/$set.big
    i=0; while [ $i -lt $reps ]; do cat $W/$set.text >> $W/$set.big; i=$((i + 1)); done
    lines=$(wc -l < $W/$set.big)

    t0=$(now)
    "$HARK" model train --quiet --data "$tr" --out $W/$set.hark.bin --buckets 1048576 \
        --word-ngrams 2 --minn 3 --maxn 5 --epochs 10 --lr 0.3
    t1=$(now)
    fasttext supervised -input "$tr" -output $W/$set.ft -bucket 1048576 -wordNgrams 2 \
        -minn 3 -maxn 5 -epoch 10 -lr 0.5 -dim 100 -thread 1 -verbose 0
    t2=$(now)
    h_train=$(secs "$t0" "$t1"); f_train=$(secs "$t1" "$t2")

    "$HARK" model predict --model $W/$set.hark.bin < $W/$set.text |
        sed 's/^{"label":"\([^"]*\)".*/\1/' > $W/$set.hark.pred
    fasttext predict $W/$set.ft.bin $W/$set.text | sed 's/^__label__//' > $W/$set.ft.pred
    set -- $(metrics $W/$set.gold $W/$set.hark.pred); h_acc=$1; h_f1=$2
    set -- $(metrics $W/$set.gold $W/$set.ft.pred); f_acc=$1; f_f1=$2

    # Model loading is timed on an empty input and subtracted: fastText's 2^20 x 100 input
    # matrix alone is 400 MB to read, which would swamp its per-text speed.
    : > $W/empty
    t0=$(now)
    "$HARK" model predict --model $W/$set.hark.bin < $W/empty > /dev/null
    t1=$(now)
    "$HARK" model predict --model $W/$set.hark.bin < $W/$set.big > /dev/null
    t2=$(now)
    fasttext predict $W/$set.ft.bin $W/empty > /dev/null
    t3=$(now)
    fasttext predict $W/$set.ft.bin $W/$set.big > /dev/null
    t4=$(now)
    h_tput=$(echo "$lines $t0 $t1 $t2" | awk '{ printf "%.0f", $1 / (($4 - $3 - ($3 - $2)) / 1e9) }')
    f_tput=$(echo "$lines $t2 $t3 $t4" | awk '{ printf "%.0f", $1 / (($4 - $3 - ($3 - $2)) / 1e9) }')
    h_load=$(secs "$t0" "$t1"); f_load=$(secs "$t2" "$t3")

    echo "classify $set ($(wc -l < "$tr") train, $(wc -l < "$te") test):"
    row "accuracy" "$h_acc" "$f_acc"
    row "macro-F1" "$h_f1" "$f_f1"
    row "training time (s)" "$h_train" "$f_train" low
    row "prediction (texts/s)" "$h_tput" "$f_tput"
    row "model load (s)" "$h_load" "$f_load" low
    row "model file (MB)" "$(du -m $W/$set.hark.bin | cut -f1)" "$(du -m $W/$set.ft.bin | cut -f1)" low
done

# Full triage (language id, intent, sentiment, calibration, urgency) beside fastText predicting
# one label, on the same English tweets (XLM-T English test, repeated to >= 50,000 lines), load
# time subtracted for both. Language id used to dominate (libexttextcat, ~0.15x fastText).
if [ -f build/models/intent.bin ] && [ -f build/models/sentiment.bin ]; then
    for set in tweets-en tweets-all; do
        lines=$(wc -l < $W/$set.big)
        t0=$(now)
        "$HARK" model predict --models build/models < $W/empty > /dev/null
        t1=$(now)
        "$HARK" model predict --models build/models < $W/$set.big > /dev/null
        t2=$(now)
        fasttext predict $W/$set.ft.bin $W/empty > /dev/null
        t3=$(now)
        fasttext predict $W/$set.ft.bin $W/$set.big > /dev/null
        t4=$(now)
        h_tput=$(echo "$lines $t0 $t1 $t2" | awk '{ printf "%.0f", $1 / (($4 - $3 - ($3 - $2)) / 1e9) }')
        f_tput=$(echo "$lines $t2 $t3 $t4" | awk '{ printf "%.0f", $1 / (($4 - $3 - ($3 - $2)) / 1e9) }')
        echo "full triage with language id ($set, $lines texts):"
        row "prediction (texts/s)" "$h_tput" "$f_tput"
    done
fi

# Language identification on XLM-T validation tweets (8 languages): our character n-gram model
# (trained on XLM-T train; opt-in, `make classify-lang-research`, research licence) beside
# libexttextcat, with all of its 164 languages, restricted to the same 8, and as hark ships it
# (restricted to 20 languages, src/classify/classify_lang.c).
"$HARK" model train --quiet --data $W/lang.train --out $W/lang.hark.bin --buckets 262144
set -- $("$HARK" model eval --model $W/lang.hark.bin --data $W/lang.test --json |
         jq -r '"\(.accuracy) \(.per_second)"')
echo "language id (XLM-T val, $(wc -l < $W/lang.test) tweets, 8 languages):"
printf "  %-26s accuracy %.4f  %s texts/s\n" "hark char n-grams" "$1" "$2"
if pkg-config --exists libexttextcat 2>/dev/null && [ -f /usr/share/libexttextcat/fpdb.conf ]; then
    cc -O2 $(pkg-config --cflags libexttextcat) bench/classify/exttextcat_eval.c \
        $(pkg-config --libs libexttextcat) -o $W/exttextcat_eval
    grep -E '^(ar|en|fr|de|hi|it|pt|es)\.lm' /usr/share/libexttextcat/fpdb.conf > $W/fp8.conf
    for conf in /usr/share/libexttextcat/fpdb.conf $W/fp8.conf; do
        set -- $($W/exttextcat_eval $conf /usr/share/libexttextcat/ $W/lang.test)
        name="libexttextcat ($( [ $conf = $W/fp8.conf ] && echo 8 || echo 164 ) langs)"
        printf "  %-26s accuracy %.4f  %s texts/s  (%s undecided)\n" "$name" "$4" "$6" "$8"
    done
else
    echo "  libexttextcat not installed (libexttextcat-dev, libexttextcat-data); skipped"
fi
# What `hark` ships: no lang.bin, so classify_open falls back to libexttextcat restricted to
# its 20 languages; texts with fewer than 8 letters once cleaned are undecided ("und").
if [ -f build/models/intent.bin ] && [ -f build/models/sentiment.bin ]; then
    mkdir -p $W/default-models
    cp build/models/intent.bin build/models/sentiment.bin $W/default-models/
    rm -f $W/default-models/lang.bin
    sed 's/^__label__\([^ ]*\).*/\1/' $W/lang.test > $W/lang.gold
    sed 's/^__label__[^ ]* //' $W/lang.test > $W/lang.text
    t0=$(now)
    "$HARK" model predict --models $W/default-models < $W/lang.text |
        sed 's/^{"lang":"\([^"]*\)".*/\1/' > $W/lang.default.pred
    t1=$(now)
    set -- $(paste -d ' ' $W/lang.gold $W/lang.default.pred | awk -v t0="$t0" -v t1="$t1" '
        { n++; ok += ($1 == $2); und += (NF < 2 || $2 == "und") }
        END { printf "%.4f %.0f %d", ok / n, n / ((t1 - t0) / 1e9), und }')
    printf "  %-26s accuracy %.4f  %s texts/s  (%s undecided; full triage)\n" \
        "hark default (textcat 20)" "$1" "$2" "$3"
fi

# Triage quality on public tweets it never trained on (airline, TweetEval) beside fastText and a
# lexicon, language id on English airline tweets, CLI vs API, and the learning curve
# (tools/classify-quality.py; docs/triage.md has the tables). The airline set (Twitter US Airline
# Sentiment, CC BY-NC-SA 4.0, measurement only) is not in ../shared/data: put its Tweets.csv at
# $DATA/airline/Tweets.csv or name it with AIRLINE=.
AIRLINE=${AIRLINE:-$DATA/airline/Tweets.csv}
[ -f "$AIRLINE" ] || AIRLINE=build/bench-data/airline/Tweets.csv
if [ -f "$AIRLINE" ] && [ -f build/models/intent.bin ]; then
    python3 tools/classify-quality.py quality --airline "$AIRLINE" --data "$DATA" --hark "$HARK" \
        --work $W/quality ${CLASSIFY_BEFORE:+--before "$CLASSIFY_BEFORE"}
    python3 tools/classify-quality.py curve --airline "$AIRLINE" --data "$DATA" --hark "$HARK" \
        --work $W/curve
else
    echo "classify quality: no airline set (AIRLINE=path/to/Tweets.csv); skipped"
fi
