# obs.mk - observability checks: tests/api/120-metrics.sh validates GET /metrics with promtool.
# Debian ships promtool in the prometheus package, which is also a server (and 96 MB with its
# web assets): the .deb is downloaded and only /usr/bin/promtool is taken out of it, into
# build/tools/, so no Prometheus server is installed or started.
PROMTOOL := build/tools/promtool
$(PROMTOOL): $(DEPS_STAMP)
	@$(if $(Q),echo "  DEB prometheus -> $@")
	$(Q)rm -rf build/tools/deb && mkdir -p build/tools/deb
	$(Q)cd build/tools/deb && { apt-get download -qq prometheus 2>/dev/null || \
	    { $(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq && apt-get download -qq prometheus; }; }
	$(Q)dpkg-deb --fsys-tarfile build/tools/deb/prometheus_*.deb | \
	    tar -x -C build/tools/deb ./usr/bin/promtool
	$(Q)mv build/tools/deb/usr/bin/promtool $@ && rm -rf build/tools/deb
check-api: $(PROMTOOL)
