/* placeholder until store lands */
#ifndef HARK_STORE_INT_H
#define HARK_STORE_INT_H
struct store_migration { int version; const char *name; const char *sql; };
extern const struct store_migration store__migrations[];
extern const int store__nmigrations;
#endif
