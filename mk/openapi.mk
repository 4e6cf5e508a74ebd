# openapi.mk - docs/openapi.yaml, the API's description: linted by Redocly (its rules in
# tools/openapi/redocly.yaml), checked against the route table (tools/openapi/routes.mjs), the
# source of the web app's API types (web/src/api-types.ts, generated here, never edited), and
# the contract test (tests/contract/: every operation called against the ASan binary, each
# answer validated). The tools are npm packages pinned in tools/openapi/package-lock.json.
OPENAPI := docs/openapi.yaml
OPENAPI_BIN := tools/openapi/node_modules/.bin

tools/openapi/node_modules/.stamp: tools/openapi/package.json \
                                   $(wildcard tools/openapi/package-lock.json) build/.deps-ok
	@$(if $(Q),echo "  NPM tools/openapi")
	$(Q)cd tools/openapi && $(NPM_INSTALL)
	$(Q)touch $@

web/src/api-types.ts: $(OPENAPI) tools/openapi/node_modules/.stamp
	@$(if $(Q),echo "  GEN $@")
	$(Q)$(OPENAPI_BIN)/openapi-typescript $(OPENAPI) --output $@.tmp >/dev/null
	$(Q){ echo '// Generated from docs/openapi.yaml by openapi-typescript (mk/openapi.mk). Do not edit.'; \
	      cat $@.tmp; } > $@ && rm -f $@.tmp

# The web app's type check needs the generated types (web.mk's rule builds web/dist).
web/dist/index.html: web/src/api-types.ts

.PHONY: lint-openapi check-contract
# Zero problems: an error fails redocly itself, a warning fails here.
lint-openapi: tools/openapi/node_modules/.stamp
	$(Q)out=$$($(OPENAPI_BIN)/redocly lint --config tools/openapi/redocly.yaml --format=stylish \
	    $(OPENAPI) 2>&1); rc=$$?; \
	    printf '%s\n' "$$out" | sed -n '/^validating/,$$p' | grep -v '^$$'; \
	    if printf '%s\n' "$$out" | grep -q ' warning '; then rc=1; fi; exit $$rc
	$(Q)node tools/openapi/routes.mjs

check-contract: build/asan/hark web/dist/index.html tools/openapi/node_modules/.stamp
	$(Q)HARK=$(CURDIR)/build/asan/hark tests/contract/run.sh

lint: lint-openapi
TEST_EXTRA += check-contract
