# obs.mk - observability checks: tests/api/120-metrics.sh validates GET /metrics with promtool
# (Debian ships /usr/bin/promtool in the prometheus package).
DEBS += prometheus
