# The design lab (docs/lab.md): its optional programs and its results.
#   make lab-deps      graphviz and gnuplot from Debian, if missing
#   make lab-results   regenerate docs/results (README's headline results)
.PHONY: lab-deps lab-results
lab-deps:
	@scripts/install-lab-deps.sh

lab-results: all
	@docs/results/regenerate.sh $(BUILD)
