/* SPDX-License-Identifier: MIT */
/* config_test.c - the config file syntax (comments, quoting) and the example hark.conf. */
#include "base/base.h"

#include <stdlib.h>
#include <unistd.h>

#include "config.h"

#include "../test.h"

static char dir[] = "/tmp/hark-config-test-XXXXXX";

/* Writes 'text' to a file in 'dir' and loads it; returns config_load's result. */
static int
load_text(const char *text, struct config *cfg, struct errmsg *em)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/hark.conf", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return ERR_IO;
    fputs(text, f);
    fclose(f);
    char *argv[] = { "serve", "--config", path, NULL };
    char *rest[4];
    int nrest;
    return config_load(3, argv, cfg, rest, 4, &nrest, em);
}

TEST(trailing_comment)
{
    struct config cfg;
    struct errmsg em = { 0 };
    CHECK_INT(load_text("listen 127.0.0.1:8123  # here\n"
                        "log-level\tdebug\t# tab separated\n"
                        "secure-cookies yes #no space before the text\n"
                        "outbox-retry-ms 500# not a comment: no space before '#'\n",
                        &cfg, &em),
              ERR_INVAL);
    CHECK(strstr(em.text, "outbox-retry-ms") != NULL);
    em = (struct errmsg){ 0 };
    CHECK_INT(load_text("listen 127.0.0.1:8123  # here\n"
                        "log-level\tdebug\t# tab separated\n"
                        "secure-cookies yes #no space before the text\n"
                        "public-url https://x.example/#frag # kept up to the comment\n",
                        &cfg, &em),
              0);
    CHECK_STR(cfg.listen, "127.0.0.1:8123");
    CHECK_STR(cfg.log_level, "debug");
    CHECK(cfg.secure_cookies);
    CHECK_STR(cfg.public_url, "https://x.example/#frag");
}

TEST(quoted_values)
{
    struct config cfg;
    struct errmsg em = { 0 };
    CHECK_INT(load_text("brand-handles \"acme, acme #support\"   # quoted\n"
                        "metrics-token \"a \\\"b\\\" \\\\c \"\n"
                        "public-url \"\"\n",
                        &cfg, &em),
              0);
    CHECK_STR(cfg.brand_handles, "acme, acme #support");
    CHECK_STR(cfg.metrics_token, "a \"b\" \\c ");
    CHECK_STR(cfg.public_url, "");
    CHECK_INT(load_text("brand-handles \"acme\n", &cfg, &em), ERR_INVAL);
    CHECK(strstr(em.text, "unterminated quote") != NULL);
    em = (struct errmsg){ 0 };
    CHECK_INT(load_text("brand-handles \"acme\" extra\n", &cfg, &em), ERR_INVAL);
    CHECK(strstr(em.text, ":1:") != NULL);
}

TEST(example_lists_every_key_and_loads_to_the_defaults)
{
    char *defaults = NULL, *example = NULL, *loaded = NULL;
    size_t nd = 0, ne = 0, nl = 0;
    struct config cfg;
    struct errmsg em = { 0 };
    char *argv[] = { "serve", NULL };
    char *rest[4];
    int nrest;
    CHECK_INT(config_load(1, argv, &cfg, rest, 4, &nrest, &em), 0);
    FILE *f = open_memstream(&defaults, &nd);
    config_print(&cfg, f);
    fclose(f);
    f = open_memstream(&example, &ne);
    config_print_example(f);
    fclose(f);
    /* Every key config_print knows has a commented-out line in the example. */
    int keys = 0;
    for (char *line = defaults; line && *line;) {
        char *nl_ = strchr(line, '\n');
        char *sp = strchr(line, ' ');
        char want[80];
        snprintf(want, sizeof(want), "\n# %.*s ", (int)(sp - line), line);
        CHECK(strstr(example, want) != NULL);
        keys++;
        line = nl_ ? nl_ + 1 : NULL;
    }
    CHECK(keys >= 20);
    /* Uncommenting every setting line gives back exactly the defaults. */
    char *text = malloc(ne + 1), *o = text;
    bool after_facts = false; /* the setting line follows "# Environment:" or "# Range:" */
    for (char *line = example; *line;) {
        char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        bool facts = strncmp(line, "# Environment:", 14) == 0 || strncmp(line, "# Range:", 8) == 0;
        bool setting = after_facts && !facts;
        after_facts = facts;
        memcpy(o, setting ? line + 2 : line, setting ? len - 2 : len);
        o += setting ? len - 2 : len;
        *o++ = '\n';
        line = end ? end + 1 : line + len;
    }
    *o = '\0';
    CHECK_INT(load_text(text, &cfg, &em), 0);
    f = open_memstream(&loaded, &nl);
    config_print(&cfg, f);
    fclose(f);
    CHECK_STR(loaded, defaults);
    free(text);
    free(defaults);
    free(example);
    free(loaded);
}

int
main(void)
{
    if (!mkdtemp(dir))
        return 1;
    RUN(trailing_comment);
    RUN(quoted_values);
    RUN(example_lists_every_key_and_loads_to_the_defaults);
    char path[128];
    snprintf(path, sizeof(path), "%s/hark.conf", dir);
    unlink(path);
    rmdir(dir);
    return test_done();
}
