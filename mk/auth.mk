# auth.mk - the breached-password list (data/passwords/, see its README) compiled into hark, so
# new passwords are checked against it without any file at run time (auth/password.c).
GEN += build/gen/breached_passwords.c

build/gen/breached_passwords.c: data/passwords/common.txt tools/embed-passwords.sh
	$(Q)mkdir -p $(dir $@)
	$(Q)tools/embed-passwords.sh $< > $@
