#!/usr/bin/env python3
"""active-curve.py - does the review queue's choice (margin sampling) teach the sentiment model
more than labels chosen at random?  A simulation with the hark CLI, no server:

  tools/active-curve.py [--hark build/rel/hark] [--data ../shared/data] [--sets build/classify-data]
                        [--measure margin|confidence|entropy]

Out-of-domain tweets (TweetEval sentiment validation, 2,000; research licence: read here for
measurement only, never shipped) are split at random into a pool of 1,000 that agents could be
asked about and a fixed test set of 1,000. Starting from the shipped training set
(sentiment.all), each step adds N labelled pool tweets (each repeated 3 times, as the server's
retrain weights corrections) and retrains with the shipped settings:
  - uncertain: in rounds of 50, the pool tweets the current model is least sure of, by
    --measure: margin (smallest P(top) - P(second), the review queue's order), confidence
    (smallest P(top)) or entropy (largest);
  - random: N pool tweets at random.
Macro-F1 on the test set after 0, 100, 300 and 600 labels; the mean over 3 splits (and, for
random, 3 draws per split). A third row keeps only the random answers that changed the
shipped model's label (what a team that never confirms would teach). Prints a Markdown table.
"""
import argparse
import json
import math
import os
import random
import subprocess
import tempfile

OPTS = ['--buckets', '262144', '--word-ngrams', '2', '--minn', '3', '--maxn', '5', '--epochs', '10',
        '--lr', '0.3']  # CLASSIFY_OPTS_sentiment in mk/classify.mk
LABELS = {'0': 'negative', '1': 'neutral', '2': 'positive'}
STEPS = [0, 100, 300, 600]
ROUND = 50


def clean(t):
    return ' '.join(t.replace('\t', ' ').split())


def load(data):
    d = os.path.join(data, 'tweeteval', 'sentiment')
    with open(os.path.join(d, 'val_text.txt'), encoding='utf-8') as f:
        texts = [clean(line) for line in f]
    with open(os.path.join(d, 'val_labels.txt'), encoding='utf-8') as f:
        labels = [LABELS[line.strip()] for line in f]
    return [(l, t) for l, t in zip(labels, texts) if t]


def write(path, examples):
    with open(path, 'w', encoding='utf-8') as f:
        for l, t in examples:
            f.write(f'__label__{l} {t}\n')


class Sim:
    def __init__(self, hark, base, tmp, measure):
        self.hark, self.base, self.tmp, self.measure = hark, base, tmp, measure

    def train(self, extra, name='m'):
        data, model = os.path.join(self.tmp, 'train.txt'), os.path.join(self.tmp, name + '.bin')
        with open(self.base, encoding='utf-8') as f, open(data, 'w', encoding='utf-8') as out:
            out.write(f.read())
            for l, t in extra:
                out.write(f'__label__{l} {t}\n' * 3)
        subprocess.run([self.hark, 'model', 'train', '--quiet', '--data', data, '--out', model] + OPTS,
                       check=True)
        return model

    def f1(self, model, test):
        path = os.path.join(self.tmp, 'test.txt')
        write(path, test)
        r = subprocess.run([self.hark, 'model', 'eval', '--model', model, '--data', path, '--json'],
                           check=True, capture_output=True, text=True)
        return json.loads(r.stdout)['macro_f1']

    def labels(self, model, pool):
        inp = ''.join(t + '\n' for _, t in pool)
        r = subprocess.run([self.hark, 'model', 'predict', '--model', model],
                           input=inp, check=True, capture_output=True, text=True)
        return [json.loads(line)['label'] for line in r.stdout.splitlines()]

    def margins(self, model, pool):
        inp = ''.join(t + '\n' for _, t in pool)
        r = subprocess.run([self.hark, 'model', 'predict', '--model', model, '--top', '3'],
                           input=inp, check=True, capture_output=True, text=True)
        out = []
        for line in r.stdout.splitlines():
            top = json.loads(line)['top']
            p = [x[1] for x in top]
            if self.measure == 'margin':
                out.append(p[0] - (p[1] if len(p) > 1 else 0.0))
            elif self.measure == 'confidence':
                out.append(p[0])
            else:  # entropy, negated so that smaller means less sure
                out.append(sum(q * math.log(q) for q in p if q > 0))
        return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--hark', default='build/rel/hark')
    ap.add_argument('--data', default='../shared/data')
    ap.add_argument('--sets', default='build/classify-data')
    ap.add_argument('--measure', default='margin', choices=['margin', 'confidence', 'entropy'],
                    help='the uncertainty measure (the review queue uses margin)')
    a = ap.parse_args()
    all_ex = load(a.data)
    res = {s: {k: [] for k in STEPS} for s in ('uncertain', 'random', 'fixes')}
    agree = []  # share of pool tweets the shipped model labels right (answers that confirm)
    with tempfile.TemporaryDirectory() as tmp:
        sim = Sim(a.hark, os.path.join(a.sets, 'sentiment.all'), tmp, a.measure)
        base_model = sim.train([], 'base')
        for split in range(3):
            ex = all_ex[:]
            random.Random(split).shuffle(ex)
            pool, test = ex[:1000], ex[1000:2000]
            base = sim.f1(base_model, test)
            res['uncertain'][0].append(base)
            res['random'][0].append(base)
            res['fixes'][0].append(base)
            guess = dict(zip((t for _, t in pool), sim.labels(base_model, pool)))
            agree.append(sum(guess[t] == l for l, t in pool) / len(pool))
            # margin sampling, in rounds: ask about the least sure, retrain, ask again
            chosen, left, model = [], pool[:], base_model
            while len(chosen) < STEPS[-1]:
                m = sim.margins(model, left)
                order = sorted(range(len(left)), key=lambda i: m[i])[:ROUND]
                pick = set(order)
                chosen += [left[i] for i in order]
                left = [x for i, x in enumerate(left) if i not in pick]
                model = sim.train(chosen)
                if len(chosen) in STEPS:
                    res['uncertain'][len(chosen)].append(sim.f1(model, test))
            for draw in range(3):
                order = pool[:]
                random.Random(100 + 10 * split + draw).shuffle(order)
                for k in STEPS[1:]:
                    res['random'][k].append(sim.f1(sim.train(order[:k]), test))
                    # the same answers without the confirmations: only the changed labels
                    fixes = [(l, t) for l, t in order[:k] if guess[t] != l]
                    res['fixes'][k].append(sim.f1(sim.train(fixes), test))
    mean = lambda v: sum(v) / len(v)
    print('| labels added | ' + ' | '.join(str(k) for k in STEPS) + ' |')
    print('|---|' + '---|' * len(STEPS))
    names = {'uncertain': a.measure, 'random': 'random',
             'fixes': 'random, changed labels only (no confirmations)'}
    for s in ('uncertain', 'random', 'fixes'):
        print(f'| {names[s]} | ' + ' | '.join(f'{mean(res[s][k]):.3f}' for k in STEPS) + ' |')
    print(f'\nThe shipped model was right on {100 * mean(agree):.0f}% of the pool: the share of '
          'answers that are confirmations.')


if __name__ == '__main__':
    main()
