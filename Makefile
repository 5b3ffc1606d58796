# anonvma - the Linux anonymous reverse map as a userspace model.
#
#   make              library (static and shared) and the anonvma command
#   make check        every test: unit tests, then the scenario corpus
#   make check SANITIZE=address,undefined   the same under ASan+UBSan
#   make check SANITIZE=thread              the same under TSan
#
# Each sanitizer configuration builds into its own directory, so they
# never mix objects.

CC       ?= cc
SANITIZE ?=
O        ?= 2

ifeq ($(SANITIZE),)
BUILD    ?= build
SANFLAGS :=
else
BUILD    ?= build-$(subst $(comma),-,$(SANITIZE))
SANFLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
endif
comma := ,

CFLAGS   ?= -O$(O) -g
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
ALLCFLAGS = -std=gnu11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SANFLAGS) -Iinclude -Imm -fPIC -pthread -MMD -MP
LDLIBS   := -pthread
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

LIB_SRCS   := $(wildcard mm/*.c)
# Tool libraries linked into the anonvma command and the tests: the
# scenario language and model executor, the kernel executor, the fuzzer,
# the design lab (drawing, reports, benchmark workloads), the recorder of
# real programs and their replay.
TOOL_DIRS  := tools/scenario tools/kernel tools/fuzz tools/lab tools/record \
	      tools/replay
TOOL_SRCS  := $(foreach d,$(TOOL_DIRS),$(wildcard $(d)/*.c))
CLI_SRCS   := $(wildcard tools/cli/*.c)
BENCH_SRCS := $(wildcard tools/bench/*.c)
TEST_SRCS  := $(wildcard tests/unit/test_*.c)
TESTLIB_SRCS := $(filter-out $(TEST_SRCS),$(wildcard tests/unit/*.c))

LIB_OBJS   := $(LIB_SRCS:%.c=$(BUILD)/%.o)
TOOL_OBJS  := $(TOOL_SRCS:%.c=$(BUILD)/%.o)
CLI_OBJS   := $(CLI_SRCS:%.c=$(BUILD)/%.o)
TESTLIB_OBJS := $(TESTLIB_SRCS:%.c=$(BUILD)/%.o)
TEST_BINS  := $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_BINS := $(BENCH_SRCS:tools/bench/%.c=$(BUILD)/bench/%)

STATIC_LIB := $(BUILD)/libanonvma.a
SHARED_LIB := $(BUILD)/libanonvma.so
ANONVMA    := $(BUILD)/anonvma

.PHONY: all lib check unit corpus bench clean deps demo
all: lib $(ANONVMA)

# The README's first command: build, then run the built-in workload.
demo: $(ANONVMA)
	@$(ANONVMA) run
lib: $(STATIC_LIB) $(SHARED_LIB)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -c $< -o $@

$(STATIC_LIB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(SHARED_LIB): $(LIB_OBJS)
	$(CC) -shared $(SANFLAGS) -o $@ $^ $(LDLIBS)

$(ANONVMA): $(CLI_OBJS) $(TOOL_OBJS) $(STATIC_LIB)
	$(CC) $(SANFLAGS) -o $@ $(CLI_OBJS) $(TOOL_OBJS) $(STATIC_LIB) $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(TESTLIB_OBJS) $(TOOL_OBJS) $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -Itests/unit -Itools/scenario -Itools -o $@ $< $(TESTLIB_OBJS) $(TOOL_OBJS) $(STATIC_LIB) $(CMOCKA_LIBS) $(LDLIBS)

$(BUILD)/bench/%: tools/bench/%.c $(TOOL_OBJS) $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -Itools/scenario -Itools -o $@ $< $(TOOL_OBJS) $(STATIC_LIB) $(LDLIBS)

bench: $(BENCH_BINS)

# The README's test command.  Unit tests first, then every corpus
# scenario through the model with the invariant checker after each step.
check: deps
	@$(MAKE) --no-print-directory all-tests
	@scripts/run-tests.sh $(BUILD)

.PHONY: all-tests
all-tests: all $(TEST_BINS)

unit: $(TEST_BINS)
	@scripts/run-tests.sh $(BUILD) unit

corpus: all
	@scripts/run-tests.sh $(BUILD) corpus

# cmocka (and pkg-config) from Debian, installed only when missing.
deps:
	@scripts/install-deps.sh

clean:
	rm -rf build build-*

# Extra build and test targets of individual tools (stress drivers,
# fuzz harnesses, ...), one fragment each.
-include $(wildcard mk/*.mk)

-include $(shell find $(BUILD) -name '*.d' -type f 2>/dev/null)
