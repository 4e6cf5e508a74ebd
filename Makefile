# Hark - one GNU Makefile. `make` installs missing Debian packages, then builds ./hark.
#   make            build ./hark (release flags) and the web assets
#   make test       unit tests under ASan+UBSan, then black-box tests against the real binary,
#                   each on SQLite and on a temporary PostgreSQL
#   make check T=store    one folder's unit tests (or T=NAME one test); check-unit: all
#   make check-pg   the store's unit tests against a temporary PostgreSQL (T as for check)
#   make check-api T=030  black-box tests named 030-*.sh; without T all, in parallel
#   make check-api-pg T=030  the same against a temporary PostgreSQL
#   make demo       build, then run `hark demo`
#   make bench      run the benchmarks (each figure printed beside its anchor)
#   make fuzz       build the libFuzzer targets (clang) and run each for FUZZ_SECONDS
#   make lint       house rules: include order, library ownership, headers compile alone,
#                   migrations numbered without gaps, every /api/v1 route in docs/api.md
#   make format     clang-format the C sources
#   make install    PREFIX=/usr/local DESTDIR= (and make uninstall): see mk/install.mk
# V=1 shows commands. Modules add packages and rules in mk/*.mk.

PKGS := libmicrohttpd jansson libcurl sqlite3 openssl libargon2
DEBS := build-essential pkg-config clang libmicrohttpd-dev libjansson-dev libcurl4-openssl-dev \
        libsqlite3-dev libssl-dev libargon2-dev sqlite3 jq curl xxd
# Only for the tests: libfiu's fault injection (fiu-utils). Modules add theirs in mk/*.mk.
TEST_DEBS := fiu-utils
ALL_EXTRA :=
TEST_EXTRA :=

.DEFAULT_GOAL := all
-include mk/*.mk

CC ?= cc
ifeq ($(CC),cc)
CC := gcc
endif
Q := $(if $(V),,@)
CI ?=
WARN := -std=c17 -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wstrict-prototypes \
        -Wmissing-prototypes -Wvla -Wimplicit-fallthrough -Wno-format-nonliteral
ifneq ($(CI),)
WARN += -Werror
endif
ifneq ($(WERROR),)
WARN += -Werror
endif

DEPS_STAMP := build/.deps-ok
# Packages only the tests need (real servers to test against, checkers): `make test` installs
# them, a plain `make` does not.
TEST_DEPS_STAMP := build/.test-deps-ok
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm

CFLAGS_rel := -O2 -g -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
LDFLAGS_rel := -pie -Wl,-z,relro,-z,now
CFLAGS_asan := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
               -fno-omit-frame-pointer -DHARK_TEST_BUILD
LDFLAGS_asan := -fsanitize=address,undefined

SRC := $(sort $(wildcard src/*.c src/*/*.c))
GEN += build/gen/schema_sql.c build/gen/schema_pg_sql.c
LIB_SRC := $(filter-out src/main.c,$(SRC))
UNIT_SRC := $(sort $(wildcard tests/unit/*/*_test.c))
# API handler tests (tests/unit/api) link the test double tests/unit/api/fake_http.c in place of
# the src/http/ files that run the server on libmicrohttpd; the rest of src/http/ stays real.
HTTP_SERVER_SRC := $(shell grep -l 'microhttpd.h\|http/http_int.h' src/http/*.c)
API_TEST_SRC := $(filter-out $(HTTP_SERVER_SRC),$(LIB_SRC))

obj = $(patsubst %.c,build/$(1)/%.o,$(2))

.SECONDARY:
.PHONY: all deps test check check-unit check-pg check-api check-api-pg demo bench fuzz lint format clean
all: hark $(ALL_EXTRA)

deps: $(DEPS_STAMP)
$(DEPS_STAMP): Makefile $(wildcard mk/*.mk) tools/deps.sh
	$(Q)tools/deps.sh $(DEBS)
	$(Q)mkdir -p build && touch $@

$(TEST_DEPS_STAMP): $(DEPS_STAMP)
	$(Q)tools/deps.sh $(TEST_DEBS)
	$(Q)touch $@
check-api: $(TEST_DEPS_STAMP)

build/gen/schema_sql.c: $(sort $(wildcard src/store/schema/*.sql)) tools/embed-sql.sh
	$(Q)mkdir -p $(dir $@)
	$(Q)tools/embed-sql.sh $(sort $(wildcard src/store/schema/*.sql)) > $@

# The PostgreSQL backend's migrations (src/store/schema/pg/NNN_*.sql: 027_baseline.sql is the
# SQLite schema after 027; from 028 on each migration exists in both folders with one number).
build/gen/schema_pg_sql.c: $(sort $(wildcard src/store/schema/pg/*.sql)) tools/embed-sql.sh
	$(Q)mkdir -p $(dir $@)
	$(Q)tools/embed-sql.sh --array store__pg_migrations \
	    $(sort $(wildcard src/store/schema/pg/*.sql)) > $@

define variant
build/$(1)/%.o: %.c $(DEPS_STAMP)
	@mkdir -p $$(dir $$@)
	@$(if $(Q),echo "  CC [$(1)] $$<")
	$(Q)$$(CC) $$(WARN) $$(CFLAGS_$(1)) $$(PKG_CFLAGS) -Isrc -MMD -MP -c $$< -o $$@

build/$(1)/hark: $(call obj,$(1),$(SRC) $(GEN))
	@$(if $(Q),echo "  LD [$(1)] $$@")
	$(Q)$$(CC) $$(LDFLAGS_$(1)) -o $$@ $$^ $$(PKG_LIBS)

build/$(1)/tests/unit/%: build/$(1)/tests/unit/%.o $(call obj,$(1),$(LIB_SRC) $(GEN))
	$(Q)$$(CC) $$(LDFLAGS_$(1)) -o $$@ $$^ $$(PKG_LIBS)

$(patsubst %.c,build/$(1)/%,$(filter tests/unit/api/%,$(UNIT_SRC))): build/$(1)/tests/unit/api/%: \
        build/$(1)/tests/unit/api/%.o build/$(1)/tests/unit/api/fake_http.o \
        $(call obj,$(1),$(API_TEST_SRC) $(GEN))
	$(Q)$$(CC) $$(LDFLAGS_$(1)) -o $$@ $$^ $$(PKG_LIBS)
endef
$(eval $(call variant,rel))
$(eval $(call variant,asan))

-include $(shell find build -name '*.d' 2>/dev/null)

hark: build/rel/hark
	$(Q)cp $< $@

UNIT_BINS := $(patsubst %.c,build/asan/%,$(UNIT_SRC))

check-unit: $(UNIT_BINS)
	$(Q)tools/run-unit.sh $(UNIT_BINS)

# make check T=store: the unit tests of one folder under tests/unit, or of one test by name
# (T=codec_test or T=codec); T may list several. Without T, as check-unit.
unit_pick = $(filter tests/unit/$(1)/%_test.c %/$(1)_test.c %/$(1).c,$(UNIT_SRC))
CHECK_BINS := $(patsubst %.c,build/asan/%,$(if $(T),$(foreach t,$(T),$(call unit_pick,$(t))),$(UNIT_SRC)))
check: $(CHECK_BINS)
	$(Q)$(if $(CHECK_BINS),tools/run-unit.sh $(CHECK_BINS),echo "check: no unit test matches T=$(T)"; exit 1)

# make check-pg: the store's unit tests (those using fixture.h's fx_open) against a temporary
# PostgreSQL; T picks tests as for check.
PG_BINS := $(filter build/asan/tests/unit/store/st_%,$(CHECK_BINS))
check-pg: $(PG_BINS) $(TEST_DEPS_STAMP)
	$(Q)tools/run-unit-pg.sh $(PG_BINS)

# make check-api T=030: only tests/api/030-*.sh; T may be any name prefix, or several (T="02 65").
check-api: build/asan/hark
	$(Q)HARK=$(CURDIR)/build/asan/hark tests/api/run.sh $(T)

# make check-api-pg: the black-box tests against a temporary PostgreSQL, each in a schema of its
# own (tools/run-api-pg.sh); the tests of SQLite-only features skip. T as for check-api.
check-api-pg: build/asan/hark $(TEST_DEPS_STAMP)
	$(Q)HARK=$(CURDIR)/build/asan/hark tools/run-api-pg.sh $(T)

test: all lint check-unit check-pg check-api check-api-pg $(TEST_EXTRA)

demo: all
	./hark demo

bench: all
	$(Q)tools/run-bench.sh

FUZZ_SECONDS ?= 20
fuzz: $(DEPS_STAMP) $(GEN)
	$(Q)tools/run-fuzz.sh $(FUZZ_SECONDS)

print-pkgs:
	@echo $(PKGS)

lint:
	$(Q)tools/lint.sh

format:
	clang-format -i $(SRC) $(wildcard src/*/*.h) $(UNIT_SRC)

clean:
	rm -rf build hark
