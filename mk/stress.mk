# The concurrency stress driver (tools/stress, docs/stress.md): its own
# program, built per configuration like everything else:
#   make stress                           build/stress/anonvma-stress
#   make stress SANITIZE=thread           build-thread/stress/anonvma-stress
#   make stress SANITIZE=address,undefined
# and one run of it in that build:
#   make stress-run STRESS_SECONDS=300 STRESS_ARGS="--seed 7"

STRESS_SRCS := $(wildcard tools/stress/*.c)
STRESS_OBJS := $(STRESS_SRCS:%.c=$(BUILD)/%.o)
STRESS_BIN  := $(BUILD)/stress/anonvma-stress
STRESS_SECONDS ?= 30
STRESS_ARGS ?=

.PHONY: stress stress-run
stress: $(STRESS_BIN)

$(STRESS_BIN): $(STRESS_OBJS) $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(SANFLAGS) -o $@ $(STRESS_OBJS) $(STATIC_LIB) $(LDLIBS)

stress-run: $(STRESS_BIN)
	$(STRESS_BIN) --seconds $(STRESS_SECONDS) $(STRESS_ARGS)

# make check builds the driver too: scripts/check.d/stress.sh runs it
# from the build directory it is given.
all-tests: $(STRESS_BIN)
