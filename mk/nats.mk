# nats.mk - the event bus between Hark instances (src/bus/): NATS JetStream through the C client
# (Debian libnats-dev, pkg-config name libnats). `hark serve --nats nats://HOST:PORT` uses it;
# without --nats nothing connects. The tests run the real nats-server (Debian nats-server) on
# 127.0.0.1 with a temporary store folder (tests/lib/nats.sh); `make test` installs it
# (TEST_DEBS), a plain `make` does not.
PKGS += libnats
DEBS += libnats-dev
TEST_DEBS += nats-server
