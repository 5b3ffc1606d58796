# Sanitizers and valgrind (docs/testing.md).
#
#   make check SANITIZE=address,undefined   everything under ASan+UBSan (the Makefile)
#   make check SANITIZE=thread              everything under TSan
#   make check-sanitizers                   both of those, one after the other
#   make valgrind                           valgrind --leak-check=full over the
#                                           corpus, every unit test and every
#                                           allocation failure point of the corpus
#
# make check itself runs scripts/check.d/valgrind.sh on a subset (the
# slow unit tests and most --fail-each sweeps left out).

.PHONY: valgrind check-sanitizers

# UBSan must stop at the first report, not print and go on, or a test
# that happens to pass would hide it; ASan's leak check stays on.
ifneq ($(findstring undefined,$(SANITIZE)),)
SANFLAGS += -fno-sanitize-recover=undefined
endif

valgrind: all $(TEST_BINS)
	@scripts/check.d/valgrind.sh $(BUILD) full

check-sanitizers:
	@$(MAKE) --no-print-directory check SANITIZE=address,undefined
	@$(MAKE) --no-print-directory check SANITIZE=thread
