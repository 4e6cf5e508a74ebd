# listen.mk - social listening (src/listen/): Hyperscan for the literal stage, ICU for the
# Unicode folding table, libwebsockets for the Jetstream client, yajl for decoding Jetstream
# events on the hot path (jansson builds a tree per event, which costs more than matching).
PKGS += libhs icu-uc libwebsockets yajl
DEBS += libhyperscan-dev libicu-dev libwebsockets-dev libyajl-dev
