# listen.mk - social listening (src/listen/): Hyperscan for the literal stage, ICU for the
# Unicode folding table, libwebsockets for the Jetstream client.
PKGS += libhs icu-uc libwebsockets
DEBS += libhyperscan-dev libicu-dev libwebsockets-dev
