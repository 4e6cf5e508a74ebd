#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# classify-data.py - makes the labelled sets of the triage models, as fastText-style
# "__label__NAME text" files, for `hark model train/eval` and the fastText benchmark.
#
#   classify-data.py OUT_DIR                    the default sets, from the repository alone:
#                                               the permissive public sets in
#                                               data/classify/permissive/ plus the hand-written
#                                               data/classify/social.txt
#   classify-data.py --research DATA_DIR OUT_DIR  the research and evaluation sets, from
#                                               ../shared/data (XLM-T, TweetEval)
#   classify-data.py --refresh DATA_DIR         copies the permissive source files (verbatim,
#                                               with SOURCE.txt and the licence shipped with
#                                               them) from DATA_DIR into data/classify/permissive/
#
# Deterministic (no randomness: splits take every 5th example). The default mode writes:
#   intent.train / intent.test / intent.all    Hark's 9 care intents (mapping in docs/triage.md)
#                                              from Bitext, Banking77, UCI and the hand-written set
#   sentiment.train / .test / .all             negative/neutral/positive from the same sources
#                                              plus the AFINN and emoji lexicons
#   bitext.train / bitext.test                 Bitext's 27 intents (benchmark)
# --research writes:
#   lang.train / lang.test             ISO 639-1 codes from XLM-T UMSAB (research data)
#   tweets-en.train / tweets-en.test   XLM-T English tweet sentiment, train/val (benchmark)
#   tweets-all.train / tweets-all.test XLM-T 8-language tweet sentiment, train/val (benchmark)
#   tweeteval.test                     TweetEval sentiment validation (out-of-domain evaluation)
# *.test files never contain the examples of the matching *.train file.
import csv
import json
import os
import re
import shutil
import sys

LANGS = {"arabic": "ar", "english": "en", "french": "fr", "german": "de", "hindi": "hi",
         "italian": "it", "portuguese": "pt", "spanish": "es"}
SENT = {"0": "negative", "1": "neutral", "2": "positive"}

BITEXT_INTENT = {
    "complaint": "complaint", "payment_issue": "complaint", "registration_problems": "complaint",
    "review": "feedback", "place_order": "purchase_intent",
    "check_cancellation_fee": "question", "check_invoice": "question",
    "check_payment_methods": "question", "check_refund_policy": "question",
    "delivery_options": "question", "delivery_period": "question", "track_order": "question",
    "track_refund": "question",
}  # everything else is a request (cancel_order, get_refund, contact_human_agent, ...)

BANKING_COMPLAINT = {
    "card_not_working", "card_payment_wrong_exchange_rate", "extra_charge_on_statement",
    "wrong_amount_of_cash_received", "card_payment_fee_charged",
    "transfer_not_received_by_recipient", "top_up_reverted",
    "balance_not_updated_after_cheque_or_cash_deposit", "card_payment_not_recognised",
    "unable_to_verify_identity", "compromised_card", "direct_debit_payment_not_recognised",
    "declined_cash_withdrawal", "declined_transfer", "Refund_not_showing_up",
    "declined_card_payment", "card_swallowed", "transaction_charged_twice",
    "reverted_card_payment?", "failed_transfer", "virtual_card_not_working",
    "wrong_exchange_rate_for_cash_withdrawal", "top_up_failed",
    "balance_not_updated_after_bank_transfer", "cash_withdrawal_not_recognised",
    "contactless_not_working", "pin_blocked", "lost_or_stolen_card", "lost_or_stolen_phone",
}
BANKING_REQUEST = {
    "cancel_transfer", "edit_personal_details", "get_physical_card", "request_refund",
    "terminate_account", "change_pin", "getting_spare_card", "order_physical_card",
    "get_disposable_virtual_card", "activate_my_card", "getting_virtual_card",
    "verify_my_identity", "passcode_forgotten",
}  # everything else is a question
BANKING_PER_CATEGORY = 40   # keep Banking77 from drowning the other sources
HAND_REPEAT = 15            # the hand-written set is small; repeat it in training files

# The permissive source files the default sets are made from, by folder of
# data/classify/permissive/ (and of ../shared/data, which --refresh copies them from).
PERMISSIVE = {
    "bitext": ["Bitext_Sample_Customer_Service_Training_Dataset_8175.csv",
               "LICENSE-CDLA-Sharing-1.0.txt", "SOURCE.txt"],
    "banking77": ["train.csv", "SOURCE.txt"],
    "uci-sentiment-labelled-sentences": ["amazon.json", "imdb.json", "yelp.json", "SOURCE.txt"],
    "lexicons": ["AFINN-165.tsv", "Emoji_Sentiment_Data_v1.0.csv", "SOURCE.txt"],
}

UESC = re.compile(r"\\u([0-9a-fA-F]{4})")


def clean(text):
    """One line of text: XLM-T's literal \\uXXXX escapes decoded, whitespace collapsed."""
    text = UESC.sub(lambda m: chr(int(m.group(1), 16)), text)
    text = text.replace("\\n", " ")
    text = "".join(" " if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)
    return " ".join(text.split())


def line(label, text):
    text = clean(text)
    return f"__label__{label} {text}\n" if text else ""


def split(rows):
    """Every 5th row to test, the rest to train: deterministic and stratified enough."""
    train = [r for i, r in enumerate(rows) if i % 5 != 0]
    test = [r for i, r in enumerate(rows) if i % 5 == 0]
    return train, test


def write(path, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for label, text in rows:
            f.write(line(label, text))


def read_lines(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return [l.rstrip("\n") for l in f]


def bitext(data):
    path = os.path.join(data, "bitext", "Bitext_Sample_Customer_Service_Training_Dataset_8175.csv")
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [(r["intent"], r["utterance"]) for r in csv.DictReader(f)]


def banking(data):
    with open(os.path.join(data, "banking77", "train.csv"), encoding="utf-8", newline="") as f:
        rows = [(r["category"], r["text"]) for r in csv.DictReader(f)]
    seen, out = {}, []
    for cat, text in rows:
        seen[cat] = seen.get(cat, 0) + 1
        if seen[cat] > BANKING_PER_CATEGORY:
            continue
        label = ("complaint" if cat in BANKING_COMPLAINT else
                 "request" if cat in BANKING_REQUEST else "question")
        out.append((label, text))
    return out


def uci(data, names=("amazon", "yelp", "imdb")):
    out = []
    for name in names:
        with open(os.path.join(data, "uci-sentiment-labelled-sentences", name + ".json")) as f:
            out += [(r["class"], r["text"]) for r in json.load(f)]
    return out


def hand(repo):
    out = []
    path = os.path.join(repo, "data", "classify", "social.txt")
    for l in read_lines(path):
        if not l.strip() or l.startswith("#"):
            continue
        label, _, text = l.partition(" ")
        out.append((label[len("__label__"):], text))
    return out


def lexicon(data):
    """Single-word examples from AFINN-165 (|valence| >= 2) and the Emoji Sentiment Ranking
    (emoji seen 50+ times whose positive or negative share beats the other by 0.25): they give
    the sentiment model words and emoji that the sentence sets never use."""
    out = []
    with open(os.path.join(data, "lexicons", "AFINN-165.tsv"), encoding="utf-8") as f:
        for l in f:
            word, _, v = l.rstrip("\n").rpartition("\t")
            if word and abs(int(v)) >= 2:
                out.append(("positive" if int(v) > 0 else "negative", word))
    with open(os.path.join(data, "lexicons", "Emoji_Sentiment_Data_v1.0.csv"), encoding="utf-8") as f:
        for r in csv.DictReader(f):
            occ = int(r["Occurrences"])
            pos, neg = int(r["Positive"]) / occ, int(r["Negative"]) / occ
            if occ >= 50 and abs(pos - neg) >= 0.25:
                out.append(("positive" if pos > neg else "negative", r["Emoji"]))
    return out


def xlmt(data, lang, part):
    d = os.path.join(data, "xlm-t-umsab", lang)
    return list(zip([SENT[x.strip()] for x in read_lines(os.path.join(d, part + "_labels.txt"))],
                    read_lines(os.path.join(d, part + "_text.txt"))))


def permissive_sets(data, repo, out):
    """The default sets: only permissive data (DATA is data/classify/permissive)."""
    bt = bitext(data)
    tr, te = split(bt)
    write(os.path.join(out, "bitext.train"), tr)
    write(os.path.join(out, "bitext.test"), te)

    # Care intents: every source is split the same way, so no test example is trained on.
    intent = [(BITEXT_INTENT.get(l, "request"), t) for l, t in bt]
    intent += banking(data)
    intent += [("praise" if c == 1 else "complaint", t) for c, t in uci(data, ("amazon", "yelp"))]
    tr, te = split(intent)
    hw_tr, hw_te = split(hand(repo))
    write(os.path.join(out, "intent.train"), tr + hw_tr * HAND_REPEAT)
    write(os.path.join(out, "intent.test"), te + hw_te)
    write(os.path.join(out, "intent.all"), intent + hand(repo) * HAND_REPEAT)

    # Sentiment from permissive sources: UCI reviews (negative/positive), plain care questions
    # and requests from Bitext and Banking77 (neutral), Bitext complaints (negative), and the
    # hand-written set (praise positive; complaint and abuse negative; the rest neutral).
    sent = [("positive" if c == 1 else "negative", t) for c, t in uci(data)]
    sent += [("negative" if BITEXT_INTENT.get(l) == "complaint" else "neutral", t)
             for i, (l, t) in enumerate(bt) if i % 3 == 0]
    sent += [("negative" if l == "complaint" else "neutral", t) for l, t in banking(data)]
    lex = lexicon(data)
    hs = {"praise": "positive", "complaint": "negative", "abuse": "negative"}
    hand_sent = [(hs.get(l, "neutral"), t) for l, t in hand(repo)]
    tr, te = split(sent)
    hw_tr, hw_te = split(hand_sent)
    write(os.path.join(out, "sentiment.train"), tr + hw_tr * HAND_REPEAT + lex)
    write(os.path.join(out, "sentiment.test"), te + hw_te)
    write(os.path.join(out, "sentiment.all"), sent + hand_sent * HAND_REPEAT + lex)


def research_sets(data, out):
    """The research and evaluation sets (DATA is ../shared/data): never in the default models."""
    lang_tr, lang_te, all_tr, all_te = [], [], [], []
    for name, code in LANGS.items():
        t, v = xlmt(data, name, "train"), xlmt(data, name, "val")
        lang_tr += [(code, x) for _, x in t]
        lang_te += [(code, x) for _, x in v]
        all_tr += t
        all_te += v
        if code == "en":
            write(os.path.join(out, "tweets-en.train"), t)
            write(os.path.join(out, "tweets-en.test"), v)
    write(os.path.join(out, "lang.train"), lang_tr)
    write(os.path.join(out, "lang.test"), lang_te)
    write(os.path.join(out, "tweets-all.train"), all_tr)
    write(os.path.join(out, "tweets-all.test"), all_te)

    d = os.path.join(data, "tweeteval", "sentiment")
    write(os.path.join(out, "tweeteval.test"),
          list(zip([SENT[x.strip()] for x in read_lines(os.path.join(d, "val_labels.txt"))],
                   read_lines(os.path.join(d, "val_text.txt")))))


def lexicon_c(data, out):
    """Writes AFINN-165's single words as a C table (src/classify/classify_lexicon.c): the
    sentiment calibration (classify_calib.c) reads it at run time, so the binary needs no file."""
    rows = []
    with open(os.path.join(data, "lexicons", "AFINN-165.tsv"), encoding="utf-8") as f:
        for l in f:
            word, _, v = l.rstrip("\n").rpartition("\t")
            if word and " " not in word and '"' not in word and "\\" not in word:
                rows.append((word, int(v)))
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write("/* SPDX-License-Identifier: MIT */\n"
                "/*\n"
                " * classify_lexicon.c - GENERATED by `python3 tools/classify-data.py --lexicon-c\n"
                " * src/classify/classify_lexicon.c` from data/classify/permissive/lexicons/AFINN-165.tsv;\n"
                " * do not edit. AFINN-165 (c) Finn Aarup Nielsen, MIT licence\n"
                " * (data/classify/permissive/lexicons/LICENSE-MIT-afinn-165.txt). Single words only.\n"
                " */\n"
                '#include "base/base.h"\n\n#include "classify/classify_int.h"\n\n'
                "const struct classify_lex_entry classify__afinn[] = {\n")
        for w, v in rows:
            f.write(f'    {{ "{w}", {v} }},\n')
        f.write("};\nconst size_t classify__afinn_count = sizeof(classify__afinn) / sizeof(classify__afinn[0]);\n")


def refresh(data, dest):
    """Copies the permissive source files from DATA (../shared/data) into DEST, verbatim."""
    for folder, names in PERMISSIVE.items():
        os.makedirs(os.path.join(dest, folder), exist_ok=True)
        for name in names:
            src, dst = os.path.join(data, folder, name), os.path.join(dest, folder, name)
            shutil.copyfile(src, dst)
            print(f"{dst}: {os.path.getsize(dst)} bytes")


USAGE = """usage: classify-data.py OUT_DIR
       classify-data.py --research DATA_DIR OUT_DIR
       classify-data.py --refresh DATA_DIR
       classify-data.py --lexicon-c src/classify/classify_lexicon.c"""


def main():
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    permissive = os.path.join(repo, "data", "classify", "permissive")
    args = sys.argv[1:]
    if len(args) >= 2 and args[0] in ("--refresh", "--research") and not os.path.isdir(args[1]):
        sys.exit(f"classify-data.py: {args[1]}: no such folder (the shared data, ../shared/data)")
    if len(args) == 2 and args[0] == "--refresh":
        refresh(args[1], permissive)
    elif len(args) == 3 and args[0] == "--research":
        os.makedirs(args[2], exist_ok=True)
        research_sets(args[1], args[2])
    elif len(args) == 2 and args[0] == "--lexicon-c":
        lexicon_c(permissive, args[1])
    elif len(args) == 1 and not args[0].startswith("-"):
        os.makedirs(args[0], exist_ok=True)
        permissive_sets(permissive, repo, args[0])
    else:
        sys.exit(USAGE)


if __name__ == "__main__":
    main()
