# Set-up and everyday commands. `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean assets

$(STAMP): pyproject.toml setup.py $(wildcard src/ecozone/hj212/*.c)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Chart and map libraries for the web pages, from npm (web/package-lock.json), served
# from /static/vendor/; nothing is loaded from a CDN at run time.
VENDOR := src/ecozone/web/static/vendor
VENDOR_STAMP := $(VENDOR)/.installed

assets: $(VENDOR_STAMP)

$(VENDOR_STAMP): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	rm -rf $(VENDOR)
	mkdir -p $(VENDOR)/echarts $(VENDOR)/leaflet
	cp web/node_modules/echarts/dist/echarts.min.js web/node_modules/echarts/LICENSE $(VENDOR)/echarts/
	cp -R web/node_modules/leaflet/dist/leaflet.js web/node_modules/leaflet/dist/leaflet.css \
		web/node_modules/leaflet/dist/images web/node_modules/leaflet/LICENSE $(VENDOR)/leaflet/
	touch $(VENDOR_STAMP)

run: $(STAMP) $(VENDOR_STAMP)
	$(BIN)/ecozone demo

test: $(STAMP) $(VENDOR_STAMP) lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

bench: $(STAMP)
	$(BIN)/python bench/codec.py

clean:
	rm -rf $(VENV) build src/*.egg-info ecozone-data $(VENDOR) web/node_modules
