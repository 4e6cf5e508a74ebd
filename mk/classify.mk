# classify.mk - triage models (src/classify/): the default models are trained at build time
# from ../shared/data plus data/classify/ into build/models/, which `hark` loads
# (classify_open("build/models")). Training is single-threaded, deterministic and takes a few
# seconds. Only permissively licensed data goes into the defaults, so there is no default
# lang.bin: language id uses libexttextcat (libexttextcat-data's fingerprints). Our own language
# model is trained from XLM-T (research licence) only on request: `make classify-lang-research`.
# fasttext is only for the benchmark (bench/40-classify.sh).
PKGS += libexttextcat
DEBS += python3 fasttext libexttextcat-dev libexttextcat-data

CLASSIFY_DATA ?= ../shared/data
CLASSIFY_SETS := build/classify-data
CLASSIFY_MODELS := build/models/intent.bin build/models/sentiment.bin
# Training settings of the shipped models (docs/triage.md explains the choice).
CLASSIFY_OPTS_lang := --buckets 262144 --word-ngrams 2 --minn 3 --maxn 5 --epochs 10 --lr 0.3
CLASSIFY_OPTS_intent := --buckets 262144 --word-ngrams 2 --minn 3 --maxn 5 --epochs 10 --lr 0.3
CLASSIFY_OPTS_sentiment := --buckets 262144 --word-ngrams 2 --minn 3 --maxn 5 --epochs 10 --lr 0.3

# Without the shared data (a bare checkout) the models are skipped, not failed.
ifneq ($(wildcard $(CLASSIFY_DATA)/README.md),)
ALL_EXTRA += $(CLASSIFY_MODELS)
endif

$(CLASSIFY_SETS)/.stamp: tools/classify-data.py data/classify/social.txt $(DEPS_STAMP)
	@$(if $(Q),echo "  DATA $(CLASSIFY_SETS)")
	$(Q)python3 tools/classify-data.py $(CLASSIFY_DATA) $(CLASSIFY_SETS)
	$(Q)touch $@

# intent and sentiment learn from all of their permissive sources (the *.all files);
# *.train/*.test are for `make bench` and the docs.
build/models/%.bin: build/rel/hark $(CLASSIFY_SETS)/.stamp
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TRAIN $@")
	$(Q)build/rel/hark model train --quiet --data $(CLASSIFY_SETS)/$*.all --out $@ $(CLASSIFY_OPTS_$*)

.PHONY: classify-models classify-lang-research
classify-models: $(CLASSIFY_MODELS)

# Opt-in: our character n-gram language model (97.6% on XLM-T validation against 82% for the
# default) trained on every XLM-T tweet (train and val). XLM-T is research data
# (../shared/data/xlm-t-umsab/SOURCE.txt): build this only if you accept its licence. Once
# build/models/lang.bin exists, classify_open uses it instead of libexttextcat; delete it to
# go back to the default.
classify-lang-research: build/rel/hark $(CLASSIFY_SETS)/.stamp
	@mkdir -p build/models
	@$(if $(Q),echo "  TRAIN build/models/lang.bin (XLM-T, research licence)")
	$(Q)cat $(CLASSIFY_SETS)/lang.train $(CLASSIFY_SETS)/lang.test > $(CLASSIFY_SETS)/lang.all
	$(Q)build/rel/hark model train --quiet --data $(CLASSIFY_SETS)/lang.all \
	    --out build/models/lang.bin $(CLASSIFY_OPTS_lang)
