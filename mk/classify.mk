# classify.mk - triage models (src/classify/): the default models are trained at build time
# from the repository alone (the permissive public sets in data/classify/permissive/ plus the
# hand-written data/classify/social.txt) into build/models/, which `hark` loads
# (classify_open("build/models")). Training is single-threaded, deterministic and takes a few
# seconds. Only permissively licensed data goes into the defaults, so there is no default
# lang.bin: language id uses libexttextcat (libexttextcat-data's fingerprints). ../shared/data
# (CLASSIFY_DATA), which a user's checkout does not have, serves only the opt-in language model
# trained from XLM-T (research licence, `make classify-lang-research`) and the benchmark
# (bench/40-classify.sh, which alone uses fasttext).
PKGS += libexttextcat
DEBS += python3 fasttext libexttextcat-dev libexttextcat-data

# No default: nothing the default build makes reads it. The opt-in targets below ask for it.
CLASSIFY_DATA ?=
need_classify_data = $(if $(CLASSIFY_DATA),,$(error $@ needs the public labelled data: \
                     make $@ CLASSIFY_DATA=DIR (for example ../shared/data)))
CLASSIFY_SETS := build/classify-data
CLASSIFY_MODELS := build/models/intent.bin build/models/sentiment.bin
CLASSIFY_SOURCES := $(wildcard data/classify/permissive/*/*)
# Training settings of the shipped models (docs/triage.md explains the choice).
CLASSIFY_OPTS_lang := --buckets 262144 --word-ngrams 2 --minn 3 --maxn 5 --epochs 10 --lr 0.3
CLASSIFY_OPTS_intent := --buckets 262144 --word-ngrams 2 --minn 3 --maxn 5 --epochs 10 --lr 0.3
CLASSIFY_OPTS_sentiment := --buckets 262144 --word-ngrams 2 --minn 3 --maxn 5 --epochs 10 --lr 0.3

ALL_EXTRA += $(CLASSIFY_MODELS)
check-api: $(CLASSIFY_MODELS) # tests/api/080-triage.sh and others load them
check-contract: $(CLASSIFY_MODELS) # the triage model versions' operations need them

$(CLASSIFY_SETS)/.stamp: tools/classify-data.py data/classify/social.txt $(CLASSIFY_SOURCES) \
		$(DEPS_STAMP)
	@$(if $(Q),echo "  DATA $(CLASSIFY_SETS)")
	$(Q)python3 tools/classify-data.py $(CLASSIFY_SETS)
	$(Q)touch $@

# intent and sentiment learn from all of their permissive sources (the *.all files);
# *.train/*.test are for `make bench` and the docs.
build/models/%.bin: build/rel/hark $(CLASSIFY_SETS)/.stamp
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TRAIN $@")
	$(Q)build/rel/hark model train --quiet --data $(CLASSIFY_SETS)/$*.all --out $@ $(CLASSIFY_OPTS_$*)

.PHONY: classify-models classify-lang-research classify-refresh
classify-models: $(CLASSIFY_MODELS)

# Maintainers: copies the permissive source files again from $(CLASSIFY_DATA) into
# data/classify/permissive/ (docs/triage.md, "Training data"); commit the result.
classify-refresh:
	$(need_classify_data)
	python3 tools/classify-data.py --refresh $(CLASSIFY_DATA)

# Opt-in: our character n-gram language model (97.6% on XLM-T validation against 82% for the
# default) trained on every XLM-T tweet (train and val). XLM-T is research data
# (../shared/data/xlm-t-umsab/SOURCE.txt): build this only if you accept its licence. Once
# build/models/lang.bin exists, classify_open uses it instead of libexttextcat; delete it to
# go back to the default.
classify-lang-research: build/rel/hark
	$(need_classify_data)
	@mkdir -p build/models
	@$(if $(Q),echo "  DATA $(CLASSIFY_SETS) (XLM-T, TweetEval from $(CLASSIFY_DATA))")
	$(Q)python3 tools/classify-data.py --research $(CLASSIFY_DATA) $(CLASSIFY_SETS)
	@$(if $(Q),echo "  TRAIN build/models/lang.bin (XLM-T, research licence)")
	$(Q)cat $(CLASSIFY_SETS)/lang.train $(CLASSIFY_SETS)/lang.test > $(CLASSIFY_SETS)/lang.all
	$(Q)build/rel/hark model train --quiet --data $(CLASSIFY_SETS)/lang.all \
	    --out build/models/lang.bin $(CLASSIFY_OPTS_lang)
