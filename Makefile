# cs231n-lab: two commands do all the set-up.
#   make lab    create .venv (if needed) and open JupyterLab on notebooks/
#   make test   create .venv (if needed), run the unit tests, validate every notebook
# Other targets: make env, make notebooks [NB=notebooks/04_backprop.ipynb], make bench, make clean

PYTHON   ?= python3
VENV     ?= .venv
BIN      := $(VENV)/bin
STAMP    := $(VENV)/.installed
LAB_ARGS ?=
# pytest-xdist workers; "auto" = one per core.
JOBS     ?= auto
NB       ?= notebooks/*.ipynb notebooks/assignments/*.ipynb
# Notebooks are executed with a fixed number of BLAS/torch threads so that their numbers are
# the same on a laptop, a workstation and CI. One thread each: pytest-xdist already runs one
# worker per core, and more threads than cores slows everything down (measured: a PCA of
# 9000x784 took 10 s oversubscribed, 0.7 s with one thread).
NB_THREADS ?= 1
NB_ENV   := OMP_NUM_THREADS=$(NB_THREADS) MKL_NUM_THREADS=$(NB_THREADS) OPENBLAS_NUM_THREADS=$(NB_THREADS)
NBVAL    := --nbval --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg

.PHONY: env lab test unit nbval notebooks bench clean

env: $(STAMP)

# The environment: a virtualenv with the exact pins of constraints.txt, the package
# installed editable, and a Jupyter kernel named "cs231n-lab" inside the venv.
$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.10+ or run 'make PYTHON=/path/to/python3'"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || { echo "error: Python 3.10+ is needed, $(PYTHON) is $$($(PYTHON) --version)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name cs231n-lab --display-name "Python (cs231n-lab)" >/dev/null
	touch $(STAMP)

lab: env
	@echo "Starting JupyterLab on notebooks/ (the URL with its token is printed below; Ctrl-C stops it)."
	$(BIN)/jupyter lab --notebook-dir=notebooks $(LAB_ARGS)

test: unit nbval

unit: env
	$(NB_ENV) $(BIN)/python -m pytest -n $(JOBS) tests

nbval: env
	$(NB_ENV) $(BIN)/python -m pytest -n $(JOBS) --dist loadfile $(NBVAL) $(NB)

# Re-execute notebooks in place so committed outputs never drift from the code.
notebooks: env
	@for nb in $(NB); do \
	  [ -f "$$nb" ] || continue; \
	  echo "executing $$nb"; \
	  $(NB_ENV) $(BIN)/python -m cs231n_lab.notebook_tools execute "$$nb" || exit 1; \
	done

bench: env
	$(BIN)/python -m cs231n_lab.bench all

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
