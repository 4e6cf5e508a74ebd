# routing.mk - routing, SLA clocks and business hours (src/routing/hours.c): ICU's calendar
# (ucal) and date formatting (udat) for time zones, DST and localized "back at" times.
PKGS += icu-i18n icu-uc
DEBS += libicu-dev
