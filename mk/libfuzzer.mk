# SPDX-License-Identifier: MIT
# libFuzzer harnesses (tools/libfuzzer, docs/libfuzzer.md).
#
#   make libfuzzer                   build the harnesses into build-libfuzzer/
#   make libfuzzer-run SECONDS=N     run each of them for N seconds (default 60)
#
# Built with clang-19 (scripts/install-fuzz-deps.sh) and never part of
# the anonvma command: the library and the scenario tools are compiled
# again, here with coverage instrumentation and ASan+UBSan, into their
# own directory.  A finding is written to build-libfuzzer/findings/NAME/.

LF_CC     ?= clang-19
LF_BUILD  ?= build-libfuzzer
LF_NAMES  := fuzz_parse fuzz_ops fuzz_run fuzz_trace
# Undefined behaviour must stop the run, or libFuzzer would not record it.
LF_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=all \
	     -fno-omit-frame-pointer
LF_CFLAGS := -std=gnu11 -D_GNU_SOURCE $(WARN) -O1 -g $(LF_SAN) \
	     -Iinclude -Imm -Itools/scenario -pthread -MMD -MP
# The operations' table (tools/scenario/ops.c) names hooks of the fuzz
# shadow and of the kernel worker: their files come along.
LF_LIB_OBJS  := $(patsubst %.c,$(LF_BUILD)/%.o,$(LIB_SRCS) \
		$(wildcard tools/scenario/*.c) $(wildcard tools/replay/*.c) \
		tools/kernel/kparse.c tools/fuzz/shadow.c tools/fuzz/gen_layout.c \
		tools/fuzz/rng.c tools/kernel/ksyscall.c)
LF_COMMON_OBJS := $(LF_BUILD)/tools/libfuzzer/common.o
LF_OPS_OBJS  := $(LF_BUILD)/tools/libfuzzer/trace.o \
		$(LF_BUILD)/tools/libfuzzer/shadow.o
LF_ARCHIVE   := $(LF_BUILD)/libanonvma-fuzz.a
LF_BINS      := $(LF_NAMES:%=$(LF_BUILD)/%)

SECONDS ?= 60

.PHONY: libfuzzer libfuzzer-run libfuzzer-clean
libfuzzer: $(LF_BINS)
# The harness objects are not intermediate files to delete.
.SECONDARY: $(LF_NAMES:%=$(LF_BUILD)/tools/libfuzzer/%.o)

# Everything but the harness entry points: instrumented for coverage,
# without libFuzzer's main().
$(LF_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(LF_CC) $(LF_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(LF_ARCHIVE): $(LF_LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

$(LF_BUILD)/fuzz_ops: $(LF_BUILD)/tools/libfuzzer/fuzz_ops.o $(LF_OPS_OBJS) $(LF_COMMON_OBJS) $(LF_ARCHIVE)
	$(LF_CC) $(LF_SAN) -fsanitize=fuzzer -o $@ $^ -pthread

$(LF_BUILD)/fuzz_%: $(LF_BUILD)/tools/libfuzzer/fuzz_%.o $(LF_COMMON_OBJS) $(LF_ARCHIVE)
	$(LF_CC) $(LF_SAN) -fsanitize=fuzzer -o $@ $^ -pthread

# Each harness for SECONDS seconds (tools/libfuzzer/run.sh: corpora,
# options, findings); fails if any harness found something.
libfuzzer-run: $(LF_BINS)
	@fail=0; for n in $(LF_NAMES); do \
		tools/libfuzzer/run.sh $(LF_BUILD) $$n $(SECONDS) || fail=1; \
	done; exit $$fail

libfuzzer-clean:
	rm -rf $(LF_BUILD)

-include $(shell find $(LF_BUILD) -name '*.d' -type f 2>/dev/null)

# Line coverage of the library by the working corpora: the harnesses
# rebuilt with clang's source-based coverage (no sanitizers), each run
# once over its corpus, then llvm-cov-19's per-file report.
#   make libfuzzer-cov     (after make libfuzzer-run)
LF_COV_BUILD := $(LF_BUILD)/cov
libfuzzer-cov:
	@$(MAKE) --no-print-directory libfuzzer LF_BUILD=$(LF_COV_BUILD) \
		LF_SAN="-fprofile-instr-generate -fcoverage-mapping"
	@for n in $(LF_NAMES); do \
		LLVM_PROFILE_FILE=$(LF_COV_BUILD)/$$n.profraw \
			$(LF_COV_BUILD)/$$n -runs=0 $(LF_BUILD)/corpus/$$n \
			> $(LF_COV_BUILD)/$$n.cov.log 2>&1 || exit 1; \
	done
	llvm-profdata-19 merge -o $(LF_COV_BUILD)/all.profdata $(LF_COV_BUILD)/*.profraw
	llvm-cov-19 report $(LF_COV_BUILD)/fuzz_ops \
		-object $(LF_COV_BUILD)/fuzz_run -object $(LF_COV_BUILD)/fuzz_parse \
		-instr-profile=$(LF_COV_BUILD)/all.profdata mm tools/scenario
