# Makefile -- builds scribe, its tests and benchmarks.
# `make` builds build/scribe; `make test` builds with sanitizers and runs
# every test; `make run` starts scribe (console on a local database when no
# homeserver is configured). Missing Debian packages are installed by
# scripts/install-deps.sh the first time.

CC      ?= cc
PKGS     = sqlite3 libcjson libuv libcurl inih libutf8proc libcrypto libssl
TESTPKGS = cmocka

WARN    = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wno-unused-parameter
CSTD    = -std=c11 -D_GNU_SOURCE
OPT    ?= -O2 -g
SAN     = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

STORE_SRC = $(wildcard storage/*.c)
CMD_SRC   = $(wildcard commands/*.c)
BOT_SRC   = $(filter-out bot/main.c,$(wildcard bot/*.c))
MAIN_SRC  = bot/main.c
TEST_SRC  = $(wildcard tests/test_*.c)
TEST_HELP = $(filter-out $(TEST_SRC),$(wildcard tests/*.c))
BENCH_LIB = $(wildcard bench/corpus*.c bench/bench_*.c)
BENCH_SRC = $(filter-out $(BENCH_LIB),$(wildcard bench/*.c))

.DEFAULT_GOAL := all

# pkg-config flags, cached; the rule installs missing packages first.
-include build/pkg.mk
build/pkg.mk: scripts/install-deps.sh Makefile
	@mkdir -p build
	@sh scripts/install-deps.sh
	@printf 'PKG_CFLAGS := %s\nPKG_LIBS := %s\nTEST_CFLAGS := %s\nTEST_LIBS := %s\n' \
	  "$$(pkg-config --cflags $(PKGS))" "$$(pkg-config --libs $(PKGS))" \
	  "$$(pkg-config --cflags $(TESTPKGS))" "$$(pkg-config --libs $(TESTPKGS))" > $@.tmp
	@mv $@.tmp $@

CFLAGS_ALL = $(CSTD) $(WARN) $(OPT) $(PKG_CFLAGS) -MMD -MP $(EXTRA_CFLAGS)
LIBS_ALL   = $(PKG_LIBS) -lm

LIB_OBJ  = $(patsubst %.c,build/obj/%.o,$(STORE_SRC) $(CMD_SRC) $(BOT_SRC))
ASAN_LIB = $(patsubst %.c,build/asan/%.o,$(STORE_SRC) $(CMD_SRC) $(BOT_SRC))
ASAN_HELP = $(patsubst %.c,build/asan/%.o,$(TEST_HELP))
TEST_BIN = $(patsubst tests/%.c,build/asan/tests/%,$(TEST_SRC))
BENCH_BIN = $(patsubst bench/%.c,build/bench/%,$(BENCH_SRC))

.PHONY: all test unit e2e acceptance asan bench run fuzz fuzz-build clean check-deps deps synapse-test

all: build/scribe

deps: build/pkg.mk

# The bot's own symbol that keeps GnuTLS from initialising (bot/http.c)
# must be visible to the libraries.
BOT_LDFLAGS = -Wl,--export-dynamic-symbol=_gnutls_global_init_skip

build/scribe: $(LIB_OBJ) build/obj/bot/main.o
	$(CC) $(OPT) $(BOT_LDFLAGS) -o $@ $^ $(LIBS_ALL)

build/obj/%.o: %.c build/pkg.mk
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

# The sanitizer build: the same sources, every test links against it.
asan: build/asan/scribe $(TEST_BIN)

build/asan/scribe: $(ASAN_LIB) build/asan/bot/main.o
	$(CC) $(SAN) -g -o $@ $^ $(LIBS_ALL)

build/asan/%.o: %.c build/pkg.mk
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) -O1 -g $(SAN) $(PKG_CFLAGS) $(TEST_CFLAGS) -MMD -MP $(EXTRA_CFLAGS) -c -o $@ $<

build/asan/tests/%: build/asan/tests/%.o $(ASAN_LIB) $(ASAN_HELP)
	$(CC) $(SAN) -g -o $@ $^ $(LIBS_ALL) $(TEST_LIBS)

# Benchmarks: one binary per bench/*.c, each with the corpus generator.
.PRECIOUS: build/bench/%.o
build/bench/%.o: bench/%.c build/pkg.mk
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

# The memory floor: the bot's HTTP layer and nothing else, exported like
# build/scribe and loading all of its libraries (--no-as-needed: it calls
# none of SQLite's, cJSON's ... functions, which would drop them).
build/bench/libfloor: build/bench/libfloor.o build/obj/bot/http.o build/obj/storage/log.o build/obj/storage/util.o
	$(CC) $(OPT) $(BOT_LDFLAGS) -o $@ $^ -Wl,--no-as-needed $(LIBS_ALL)

BENCH_OBJ = $(patsubst %.c,build/obj/%.o,$(STORE_SRC) $(CMD_SRC))
BENCH_LIB_OBJ = $(patsubst bench/%.c,build/bench/%.o,$(BENCH_LIB))
build/bench/%: build/bench/%.o $(BENCH_LIB_OBJ) $(BENCH_OBJ)
	$(CC) $(OPT) -o $@ $^ $(LIBS_ALL)

# `make test`: the one command. Unit tests, end-to-end against the test
# homeserver, acceptance on ../shared when present. Exits non-zero on any failure.
test: check-deps all asan
	@sh tests/run-tests.sh

unit: asan
	@sh tests/run-tests.sh unit

e2e: all asan
	@sh tests/run-tests.sh e2e

acceptance: all
	@sh tests/run-tests.sh acceptance

# The e2e scenario against a real Synapse (SYNAPSE_URL, SYNAPSE_SHARED_SECRET;
# see README "Against a real Synapse"); not part of `make test`.
synapse-test: all
	@SCRIBE_BIN=build/scribe python3 tests/synapse/scenario.py

# `make bench` (QUICK=1: a small version in seconds): figures on stdout
# and in bench/results.json. CORPUS=DIR: ingest and database size on the
# record files under DIR.
bench: all $(BENCH_BIN)
	@QUICK=$(QUICK) CORPUS="$(CORPUS)" sh bench/run.sh

# `make run`: the bot when a config names a homeserver, else the console on
# a local database pre-loaded with examples/.
run: all
	@sh scripts/run.sh

# `make fuzz`: libFuzzer targets in fuzz/ built with clang (installed by
# scripts/install-deps.sh fuzz when missing), each run FUZZ_SECONDS
# (default 60) by fuzz/run.sh; artefacts in build/fuzz/. Not part of `all`.
FUZZ_CC   ?= clang
FUZZ_SAN   = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_SRC   = $(wildcard fuzz/fuzz_*.c)
FUZZ_BIN   = $(patsubst fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
FUZZ_LIB   = $(patsubst %.c,build/fuzz/obj/%.o,$(STORE_SRC) $(CMD_SRC) $(BOT_SRC))

fuzz: build/pkg.mk
	@sh scripts/install-deps.sh fuzz
	@$(MAKE) --no-print-directory fuzz-build
	@sh fuzz/run.sh $(FUZZ_BIN)

fuzz-build: $(FUZZ_BIN)

build/fuzz/obj/%.o: %.c build/pkg.mk
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CSTD) $(WARN) -Wno-string-concatenation -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(PKG_CFLAGS) -MMD -MP $(EXTRA_CFLAGS) -c -o $@ $<

$(FUZZ_BIN): build/fuzz/%: build/fuzz/obj/fuzz/%.o $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -g -o $@ $^ $(LIBS_ALL)

# Layering: only bot/ knows libuv, libcurl; storage/ never knows cJSON.
check-deps:
	@! grep -lE '#include *[<"](uv\.h|curl/curl\.h)' commands/*.[ch] storage/*.[ch] 2>/dev/null || \
	  { echo "layering: uv/curl included outside bot/"; exit 1; }
	@! grep -lE '#include *[<"](cjson/)?cJSON\.h' storage/*.[ch] 2>/dev/null || \
	  { echo "layering: cJSON included in storage/"; exit 1; }
	@! grep -lE '#include *"\.\./bot/' commands/*.[ch] storage/*.[ch] 2>/dev/null || \
	  { echo "layering: commands/ or storage/ includes bot/"; exit 1; }
	@! grep -lE '#include *"\.\./commands/' storage/*.[ch] 2>/dev/null || \
	  { echo "layering: storage/ includes commands/"; exit 1; }

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(ASAN_LIB:.o=.d) build/obj/bot/main.d build/asan/bot/main.d \
         $(TEST_BIN:=.d) $(ASAN_HELP:.o=.d) \
  $(wildcard build/bench/*.d)
-include $(wildcard build/fuzz/obj/*/*.d)
