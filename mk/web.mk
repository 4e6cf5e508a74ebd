# web.mk - the agent web app and the chat widget (web/: TypeScript, Vite, Preact), built into
# web/dist, which `hark` serves; and the browser tests (tests/browser/: Debian's chromium driven
# by playwright-core; no browser is ever downloaded). npm installs exactly what the lock files
# say, from the npm registry.
DEBS += chromium nodejs
# Debian's nodejs ships npm separately; NodeSource's nodejs bundles it (and conflicts with it).
ifeq ($(shell command -v npm 2>/dev/null),)
DEBS += npm
endif

WEB_SRC := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/package.json \
           web/tsconfig.json web/vite.config.ts web/vite.widget.config.ts
WEB_DIST := web/dist/index.html
# `npm ci` refuses a lock that lacks other platforms' optional packages (rollup's and esbuild's
# per-platform binaries, which this registry setup leaves out); then `npm install --no-save`
# installs the same locked versions and resolves just the missing optional ones.
NPM_INSTALL = if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error \
              2>/dev/null || npm install --no-save --no-audit --no-fund --loglevel=error; \
              else npm install --no-audit --no-fund --loglevel=error; fi

web/node_modules/.stamp: web/package.json $(wildcard web/package-lock.json) build/.deps-ok
	@$(if $(Q),echo "  NPM web")
	$(Q)cd web && $(NPM_INSTALL)
	$(Q)touch $@

# Text assets are compressed once here; hark sends the .gz copy to clients that accept gzip.
$(WEB_DIST): web/node_modules/.stamp $(WEB_SRC)
	@$(if $(Q),echo "  VITE web/dist")
	$(Q)cd web && npm run --silent build >/dev/null
	$(Q)find web/dist -type f \( -name '*.js' -o -name '*.css' -o -name '*.html' -o -name '*.svg' \) \
	    -exec gzip -9 -k -n -f {} +

tests/browser/node_modules/.stamp: tests/browser/package.json \
                                   $(wildcard tests/browser/package-lock.json) build/.deps-ok
	@$(if $(Q),echo "  NPM tests/browser")
	$(Q)cd tests/browser && $(NPM_INSTALL)
	$(Q)touch $@

ALL_EXTRA += $(WEB_DIST)
TEST_EXTRA += check-browser

.PHONY: web check-browser
web: $(WEB_DIST)

check-browser: build/asan/hark $(WEB_DIST) tests/browser/node_modules/.stamp
	$(Q)HARK=$(CURDIR)/build/asan/hark tests/browser/run.sh
