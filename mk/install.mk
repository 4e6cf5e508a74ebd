# install.mk - `make install` / `make uninstall` (PREFIX, DESTDIR as usual) and the build facts
# `hark version` prints. The install paths are baked into the binary (build/gen/buildinfo.c), so
# an installed hark finds its web app and models in $(DATADIR); a build tree still finds them
# beside the binary first. Build and install with the same PREFIX:
#   make PREFIX=/usr && make install PREFIX=/usr DESTDIR=/tmp/root
# Installed: bin/hark, share/hark/web, share/hark/models, share/hark/classify-data (the
# training sets retraining starts from), share/man/man1/hark.1,
# $(SYSCONFDIR)/hark/hark.conf (every setting, commented; kept if it exists) and the systemd
# unit hark.service. The Debian package (debian/) uses the same rule.
HARK_VERSION := 0.1.0
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/hark
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
SYSTEMDDIR ?= $(PREFIX)/lib/systemd/system
INSTALL ?= install

GEN += build/gen/buildinfo.c
.PHONY: install uninstall buildinfo-force
buildinfo-force:
build/gen/buildinfo.c: buildinfo-force tools/buildinfo.sh
	$(Q)mkdir -p $(dir $@)
	$(Q)tools/buildinfo.sh $@ '$(HARK_VERSION)' '$(DATADIR)' '$(CC)' $(PKGS)

build/hark.conf: build/rel/hark
	$(Q)build/rel/hark serve --print-config --commented > $@
build/hark.service: tools/hark.service.in Makefile mk/install.mk
	$(Q)sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' $< > $@

install: all build/hark.conf build/hark.service
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/web $(DESTDIR)$(DATADIR)/models \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(SYSCONFDIR)/hark $(DESTDIR)$(SYSTEMDDIR)
	$(INSTALL) -m 755 build/rel/hark $(DESTDIR)$(BINDIR)/hark
	cp -R web/dist/. $(DESTDIR)$(DATADIR)/web/
	chmod -R u=rwX,go=rX $(DESTDIR)$(DATADIR)/web
	$(if $(wildcard build/models/*.bin),$(INSTALL) -m 644 $(wildcard build/models/*.bin) $(DESTDIR)$(DATADIR)/models/)
	$(if $(wildcard build/classify-data/*.all),$(INSTALL) -d $(DESTDIR)$(DATADIR)/classify-data && \
	    $(INSTALL) -m 644 $(wildcard build/classify-data/intent.all build/classify-data/sentiment.all) \
	    $(DESTDIR)$(DATADIR)/classify-data/)
	$(INSTALL) -m 644 docs/hark.1 $(DESTDIR)$(MANDIR)/man1/hark.1
	$(INSTALL) -m 644 build/hark.conf $(DESTDIR)$(DATADIR)/hark.conf.example
	test -e $(DESTDIR)$(SYSCONFDIR)/hark/hark.conf || \
	    $(INSTALL) -m 644 build/hark.conf $(DESTDIR)$(SYSCONFDIR)/hark/hark.conf
	$(INSTALL) -m 644 build/hark.service $(DESTDIR)$(SYSTEMDDIR)/hark.service

# The config file is the operator's: uninstall leaves $(SYSCONFDIR)/hark/hark.conf.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/hark $(DESTDIR)$(MANDIR)/man1/hark.1 \
	    $(DESTDIR)$(SYSTEMDDIR)/hark.service
	rm -rf $(DESTDIR)$(DATADIR)
