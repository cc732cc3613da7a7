# vkd_nb: `make test` runs every test, `make lab` opens the notebooks. See README.md.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-stamp
SYNCED  := vkd_nb nbs README.md
# Tests run two notebooks at once on two cores: one thread each, or OpenMP's spinning threads oversubscribe
# the cores and small-model cells run ~20x slower.
export OMP_NUM_THREADS ?= 1
# Test processes at once: notebooks (nbdev_test) and test files (pytest-xdist; a file's tests stay together, so
# its module fixtures are built once). Two suits two cores: four measured slower than two there.
WORKERS ?= 2

.PHONY: install sync check-sync test test-nbs test-slow lab demo clean browser-deps sandbox-deps docs outputs site signature \
	site-instructor slides teaching-teacher

$(STAMP): settings.ini setup.py pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

# Export the library, clean the notebooks and rebuild README.md from nbs/index.ipynb.
sync: install
	$(BIN)/nbdev_export
	$(BIN)/nbdev_clean
	$(BIN)/python .ci/readme.py nbs/index.ipynb README.md

# Fail when `make sync` would change a tracked file: notebooks and library must be committed in sync.
check-sync: install
	@before=$$(git status --porcelain -- $(SYNCED); git diff -- $(SYNCED) | sha1sum); \
	$(MAKE) --no-print-directory sync >/dev/null; \
	after=$$(git status --porcelain -- $(SYNCED); git diff -- $(SYNCED) | sha1sum); \
	if [ "$$before" != "$$after" ]; then \
	  echo "nbdev_export / nbdev_clean / README changed files: commit the notebooks cleaned and the library exported:"; \
	  git status --short -- $(SYNCED); exit 1; fi; \
	echo "notebooks, library and README are in sync"

test-nbs: install
	$(BIN)/nbdev_test --n_workers $(WORKERS) --timing

test: check-sync test-nbs browser-deps sandbox-deps
	$(BIN)/python -m pytest tests/ -q -ra --durations=15 -n $(WORKERS) --dist loadfile

# Notebook cells flagged slow (gpu cells need CUDA: add --flags "slow gpu" on a GPU machine), and the slow pytest
# checks (VKD_SLOW=1: the shipped teaching teacher is retrained bit for bit).
test-slow: install
	$(BIN)/nbdev_test --n_workers 1 --flags slow
	VKD_SLOW=1 $(BIN)/python -m pytest tests/test_defaults.py -q -k reproduced

lab: install
	$(BIN)/jupyter lab --notebook-dir=nbs

# Run the concept notebooks, index, tutorials and assignment solutions from a fixed seed (two at a time, slow and
# gpu cells skipped) and save their outputs in place, small and cleaned; then README from the executed index.
outputs: install
	$(BIN)/python .ci/docs.py execute
	$(MAKE) --no-print-directory sync

# The public static site in _docs/ from the outputs the notebooks hold, with each lesson's slides in _docs/slides/:
# the students' versions of the assignments only (the build fails if a solution, model answer or hidden test would
# be published).
site: install
	$(BIN)/python .ci/docs.py site

# The instructor's site in _docs-instructor/: the public site plus, in instructor/, the solutions (model answers,
# rubrics, hidden tests) and the answers to the notebooks' questions. Keep it off public hosting.
site-instructor: install
	$(BIN)/python .ci/docs.py site --instructor

# Each lesson's slides (nbs/course/lessons.json) in _slides/, nbconvert's reveal.js, offline: open _slides/lesson-1.slides.html.
slides: install
	$(BIN)/python .ci/slides.py --out _slides

docs: outputs site

# The signature picture nbs/images/signature.png (index.ipynb, README): an MNIST-1D teacher and its generator.
signature: install
	$(BIN)/python .ci/signature.py nbs/images/signature.png

# The kit's teaching teacher, shipped in the package (vkd_nb/teaching/): a cnn1d_32 on all of MNIST-1D and its exported
# generator, so that first runs (dashboard, demo, assignment 4) need not train it. One to two minutes on one core.
teaching-teacher: install
	$(BIN)/python .ci/teaching.py vkd_nb/teaching

# The main job, in the teaching regime: the shipped MNIST-1D teacher and its generator, then mlp_512x2 students on 1000
# samples in every main mode over 3 seeds (a few minutes; `vkd demo --train-teacher` trains the teacher too).
demo: install
	$(BIN)/vkd demo --out runs/demo --overwrite

clean:
	rm -rf $(VENV) build dist *.egg-info _proc _docs _docs-instructor _slides .pytest_cache

# Debian's Chromium for the browser tests (Playwright cannot download its own browser here); npm fetches MathJax
# for the docs site, and reveal.js, RequireJS and jQuery for the slides, once (cached in build/).
browser-deps:
	@command -v npm >/dev/null 2>&1 || { echo "installing Debian's npm for the docs site's MathJax"; \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -qq npm >/dev/null; }
	@command -v chromium >/dev/null 2>&1 || { echo "installing Debian's chromium for the browser test"; \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -qq chromium >/dev/null; }

# Debian's bubblewrap: `vkd grade` boxes each submission in it (no files outside its folder, no network); the tests use it.
sandbox-deps:
	@command -v bwrap >/dev/null 2>&1 || { echo "installing Debian's bubblewrap for the grader's sandbox"; \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -qq bubblewrap >/dev/null; }
