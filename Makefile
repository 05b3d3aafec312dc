# logtriage - build, test, install.  GNU make.
#
#   make                  build ./logtriage
#   make test             unit + end-to-end tests; ends with "N passed, N failed"
#   make test SANITIZE=1  the same under AddressSanitizer + UBSan (in build-san/)
#   make DEBUG=1          keep the assert()s (the sanitizer and fuzz builds do)
#   make STATIC_DEPS=0    link SQLite, PCRE2, zlib and ncurses dynamically (make clean first)
#   make unit             the unit tests alone
#   make e2e              the end-to-end tests alone (E2E_JOBS=N at a time)
#   make check            unit tests + the quick end-to-end scripts, for every commit
#   make demo             set up a fresh machine, ingest samples/, print the report
#   make bench            throughput and memory benchmark against grep
#   make fuzz             libFuzzer targets (FUZZ_SECONDS=N each)
#   make install PREFIX=/usr/local DESTDIR=

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
DATADIR	?= $(PREFIX)/share
MANDIR	?= $(DATADIR)/man
COMPDIR	?= $(DATADIR)/bash-completion/completions
SYSCONFDIR ?= /etc

VERSION	:= 0.1.0
PKGS	:= libpcre2-8 sqlite3 libcjson zlib ncursesw
DEB_PKGS := build-essential pkg-config libpcre2-dev libsqlite3-dev libcjson-dev \
	zlib1g-dev libncurses-dev libcmocka-dev

CC	?= cc
CFLAGS	?= -O3 -g
WARN	:= -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter
# The assert()s on internal invariants run in the sanitizer and fuzz builds
# (and with DEBUG=1), where the tests and the fuzzers look for a broken one;
# a release build leaves them out, so a user's run never aborts on one.
ifeq ($(SANITIZE)$(DEBUG),)
ASSERTS	:= -DNDEBUG
endif
ALL_CFLAGS = -std=gnu11 $(WARN) -D_GNU_SOURCE -DLOGTRIAGE_VERSION='"$(VERSION)"' \
	-DLOGTRIAGE_DATADIR='"$(DATADIR)"' -DLOGTRIAGE_SYSCONFDIR='"$(SYSCONFDIR)"' $(PKG_CFLAGS) -Isrc \
	$(ASSERTS) $(CFLAGS)
LDLIBS_ALL = $(PKG_LIBS) -lpthread -lm $(LDLIBS)

ifeq ($(SANITIZE),1)
BUILD	?= build-san
CFLAGS	+= -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS	+= -fsanitize=address,undefined
else
BUILD	?= build
endif

# pkg-config is only needed for targets that compile.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# Every run pays the dynamic loader for each shared library: for these
# five, about 1.5 ms of the 10 an empty ingest may take.  They are linked
# statically where their archives are installed (Debian's -dev packages
# ship them); a distribution that wants its security updates of them to
# reach the binary builds with STATIC_DEPS=0.
STATIC_PKGS := libpcre2-8 sqlite3 zlib ncursesw
STATIC_ARCHIVES := libpcre2-8.a libsqlite3.a libz.a libncursesw.a libtinfo.a
STATIC_LIBDIRS = $(sort $(shell pkg-config --variable=libdir $(STATIC_PKGS) 2>/dev/null))
STATIC_FOUND = $(foreach a,$(STATIC_ARCHIVES), \
	$(firstword $(wildcard $(addsuffix /$(a),$(STATIC_LIBDIRS)))))
STATIC_DEPS ?= $(if $(word $(words $(STATIC_ARCHIVES)),$(STATIC_FOUND)),1,0)
ifeq ($(STATIC_DEPS),1)
PKG_LIBS = -Wl,-Bstatic $(shell pkg-config --libs $(STATIC_PKGS) 2>/dev/null) \
	-Wl,-Bdynamic $(shell pkg-config --libs $(filter-out $(STATIC_PKGS),$(PKGS)) 2>/dev/null)
endif

SRC	:= $(wildcard src/*.c)
OBJ	:= $(patsubst src/%.c,$(BUILD)/%.o,$(SRC)) $(BUILD)/schema_sql.o \
	$(BUILD)/schema_image.o $(BUILD)/pattern_image_data.o
LIBOBJ	:= $(filter-out $(BUILD)/main.o,$(OBJ))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
BIN	:= $(BUILD)/logtriage

.PHONY: all test unit e2e check demo bench fuzz install uninstall clean check-deps

ifeq ($(SANITIZE),1)
# The sanitized binary stays in build-san/; ./logtriage is the plain one.
all: $(BIN)
logtriage-san: $(BIN)
else
all: logtriage
logtriage: $(BIN)
	cp $(BIN) logtriage
endif

$(BIN): $(OBJ)
	$(CC) $(LDFLAGS) -o $@ $(OBJ) $(LDLIBS_ALL)

$(BUILD)/%.o: src/%.c $(wildcard src/*.h) | $(BUILD)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# schema.sql is the source of truth; it is compiled into the binary as a C string.
$(BUILD)/schema_sql.c: schema.sql tools/embed.sh | $(BUILD)
	sh tools/embed.sh store_schema_sql < schema.sql > $@

$(BUILD)/schema_sql.o: $(BUILD)/schema_sql.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# An empty database with that schema, made at build time by the SQLite
# linked: a new database is written from it (store.c).
$(BUILD)/schema_image: tools/schema_image.c $(BUILD)/schema_sql.o src/store.h
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ tools/schema_image.c $(BUILD)/schema_sql.o $(LDLIBS_ALL)

$(BUILD)/schema_image.c: $(BUILD)/schema_image
	$(BUILD)/schema_image $(BUILD)/schema_image.db > $@.tmp
	mv $@.tmp $@

$(BUILD)/schema_image.o: $(BUILD)/schema_image.c src/store.h
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The shipped rules' patterns, compiled and serialized at build time by
# the PCRE2 linked (src/pattern_image.h); the tool itself loads rules with
# an empty image.
PATTERN_TOOL_OBJ := $(filter-out $(BUILD)/main.o $(BUILD)/pattern_image_data.o,$(OBJ))

$(BUILD)/pattern_image: tools/pattern_image.c tools/pattern_image_none.c $(PATTERN_TOOL_OBJ)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ tools/pattern_image.c \
	    tools/pattern_image_none.c $(PATTERN_TOOL_OBJ) $(LDLIBS_ALL)

$(BUILD)/pattern_image_data.c: $(BUILD)/pattern_image $(wildcard rules/*.rules)
	$(BUILD)/pattern_image rules > $@.tmp
	mv $@.tmp $@

$(BUILD)/pattern_image_data.o: $(BUILD)/pattern_image_data.c src/pattern_image.h
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD) $(BUILD)/tests:
	mkdir -p $@

$(BUILD)/tests/test_%: tests/unit/test_%.c $(LIBOBJ) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIBOBJ) $(LDLIBS_ALL) -lcmocka

# The end-to-end scripts of `make check`: a few seconds each on an idle machine.
CHECK_E2E := cli.sh errors.sh events.sh ingest.sh metrics.sh patterns.sh \
	prune.sh resume.sh rulefaults.sh rules.sh rules_coverage.sh sources.sh
TEST_ENV = LOGTRIAGE=$(abspath $(BIN)) BUILD=$(BUILD)

test: $(BIN) $(UNIT_BIN)
	@$(TEST_ENV) sh tests/run.sh $(UNIT_BIN)

unit: $(UNIT_BIN)
	@E2E=0 sh tests/run.sh $(UNIT_BIN)

e2e: $(BIN)
	@$(TEST_ENV) sh tests/run.sh

check: $(BIN) $(UNIT_BIN)
	@$(TEST_ENV) E2E_ONLY="$(CHECK_E2E)" sh tests/run.sh $(UNIT_BIN)

check-deps:
	@sh tools/deps.sh $(DEB_PKGS)

demo: check-deps
	$(MAKE) logtriage
	rm -f demo.db
	./logtriage ingest --db demo.db samples/*.log samples/*.log.gz samples/journald.json \
	    samples/docker-json/*/*-json.log
	./logtriage report --db demo.db

bench: logtriage
	sh tools/bench.sh

FUZZ_SECONDS ?= 10
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(patsubst tests/fuzz/%.c,build-fuzz/%,$(FUZZ_SRC))
FUZZ_LIBSRC := $(filter-out src/main.c src/cmd_%.c src/tui%.c,$(SRC))

build-fuzz/%: tests/fuzz/%.c $(FUZZ_LIBSRC) build-fuzz/schema_sql.c build-fuzz/schema_image.c
	@mkdir -p build-fuzz
	clang -std=gnu11 -g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
	    $(PKG_CFLAGS) -Isrc -o $@ $< $(FUZZ_LIBSRC) build-fuzz/schema_sql.c \
	    build-fuzz/schema_image.c tools/pattern_image_none.c $(PKG_LIBS) -lpthread -lm

build-fuzz/schema_sql.c: schema.sql tools/embed.sh
	@mkdir -p build-fuzz
	sh tools/embed.sh store_schema_sql < schema.sql > $@

build-fuzz/schema_image.c: tools/schema_image.c build-fuzz/schema_sql.c src/store.h
	clang -std=gnu11 -O1 -D_GNU_SOURCE $(PKG_CFLAGS) -Isrc -o build-fuzz/schema_image \
	    tools/schema_image.c build-fuzz/schema_sql.c $(PKG_LIBS) -lpthread -lm
	build-fuzz/schema_image build-fuzz/schema_image.db > $@.tmp
	mv $@.tmp $@

fuzz: $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do \
	    n=$$(basename $$f); mkdir -p build-fuzz/corpus-$$n; \
	    echo "fuzz: $$n for $(FUZZ_SECONDS)s"; \
	    $$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	        build-fuzz/corpus-$$n tests/fuzz/seeds/$$n 2>build-fuzz/$$n.log || \
	        { tail -40 build-fuzz/$$n.log; exit 1; }; \
	    grep -E 'stat::number_of_executed_units' build-fuzz/$$n.log; \
	done

install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/logtriage/rules \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(COMPDIR)
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/logtriage
	install -m 644 rules/*.rules $(DESTDIR)$(DATADIR)/logtriage/rules/
	install -m 644 man/logtriage.1 $(DESTDIR)$(MANDIR)/man1/logtriage.1
	install -m 644 man/logtriage.rules.5 $(DESTDIR)$(MANDIR)/man5/logtriage.rules.5
	install -m 644 tools/logtriage.bash $(DESTDIR)$(COMPDIR)/logtriage

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/logtriage $(DESTDIR)$(MANDIR)/man1/logtriage.1 \
	    $(DESTDIR)$(MANDIR)/man5/logtriage.rules.5 $(DESTDIR)$(COMPDIR)/logtriage
	rm -rf $(DESTDIR)$(DATADIR)/logtriage

clean:
	rm -rf build build-san build-fuzz logtriage demo.db
