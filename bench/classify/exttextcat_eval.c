/* SPDX-License-Identifier: MIT */
/*
 * exttextcat_eval.c - benchmark helper, not part of hark: language-identification accuracy and
 * speed of Debian's libexttextcat on a fastText-style file ("__label__xx text", xx ISO 639-1).
 *
 *     exttextcat_eval FPDB.CONF LM_DIR/ FILE
 *
 * Prints one line: examples, accuracy, texts per second, and how many were "unknown" (the
 * library answers UNKNOWN or SHORT when it will not decide; those count as wrong).
 */
#define _GNU_SOURCE
#include <libexttextcat/textcat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
    void *h;
    FILE *f;
    char *line = NULL;
    size_t cap = 0, n = 0, ok = 0, unknown = 0;
    ssize_t len;
    double t0, secs = 0;

    if (argc != 4) {
        fprintf(stderr, "usage: exttextcat_eval FPDB.CONF LM_DIR/ FILE\n");
        return 2;
    }
    h = special_textcat_Init(argv[1], argv[2]);
    if (!h) {
        fprintf(stderr, "exttextcat_eval: cannot load '%s'\n", argv[1]);
        return 1;
    }
    f = fopen(argv[3], "r");
    if (!f) {
        perror(argv[3]);
        return 1;
    }
    while ((len = getline(&line, &cap, f)) > 0) {
        char gold[16] = "", *text, *res;
        if (strncmp(line, "__label__", 9) != 0)
            continue;
        text = strchr(line, ' ');
        if (!text || text - line - 9 >= (long)sizeof(gold))
            continue;
        memcpy(gold, line + 9, (size_t)(text - line - 9));
        text++;
        len = (ssize_t)strlen(text);
        if (len > 0 && text[len - 1] == '\n')
            text[--len] = '\0';
        t0 = now();
        res = textcat_Classify(h, text, (size_t)len);
        secs += now() - t0;
        n++;
        if (res[0] != '[') {
            unknown++;
            continue;
        }
        ok += strncmp(res + 1, gold, strlen(gold)) == 0 && res[1 + strlen(gold)] == '-';
    }
    printf("examples %zu accuracy %.4f per_second %.0f unknown %zu\n", n,
           n ? (double)ok / (double)n : 0, secs > 0 ? (double)n / secs : 0, unknown);
    free(line);
    fclose(f);
    textcat_Done(h);
    return 0;
}
