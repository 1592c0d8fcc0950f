/* The measuring side of bench/run_footprint.sh, shared by
 * its C programs: this process's CPU time and context switches (every
 * thread's, from getrusage) and its resident memory (VmRSS, VmHWM from
 * /proc/self/status), and the line protocol the script drives them with. */
#ifndef BENCH_PROC_STATS_H
#define BENCH_PROC_STATS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

typedef struct
{
    long user_us;
    long sys_us;
    long vol_csw;
    long invol_csw;
} bench_usage_t;

static inline void bench_usage (bench_usage_t *u)
{
    struct rusage ru;
    memset (u, 0, sizeof *u);
    if (getrusage (RUSAGE_SELF, &ru) != 0)
        return;
    u->user_us = (long) ru.ru_utime.tv_sec * 1000000L + (long) ru.ru_utime.tv_usec;
    u->sys_us = (long) ru.ru_stime.tv_sec * 1000000L + (long) ru.ru_stime.tv_usec;
    u->vol_csw = ru.ru_nvcsw;
    u->invol_csw = ru.ru_nivcsw;
}

/* One field of /proc/self/status in kB ("VmRSS", "VmHWM"), -1 if missing. */
static inline long bench_status_kb (const char *field)
{
    char line[256];
    long kb = -1;
    size_t n = strlen (field);
    FILE *f = fopen ("/proc/self/status", "r");
    if (!f)
        return -1;
    while (fgets (line, sizeof line, f))
        if (strncmp (line, field, n) == 0 && line[n] == ':') {
            kb = strtol (line + n + 1, NULL, 10);
            break;
        }
    fclose (f);
    return kb;
}

/* Blocks until the driving script writes `word` as a line on stdin (0), or
 * stdin ends first (-1). */
static inline int bench_wait_line (const char *word)
{
    char line[64];
    while (fgets (line, sizeof line, stdin)) {
        line[strcspn (line, "\n")] = 0;
        if (strcmp (line, word) == 0)
            return 0;
    }
    return -1;
}

static inline long bench_now_us (void)
{
    struct timespec t;
    clock_gettime (CLOCK_MONOTONIC, &t);
    return (long) t.tv_sec * 1000000L + t.tv_nsec / 1000;
}

/* The idle programs' window: "start" and "stop" on stdin bound it; prints
 *   window wall: <µs>
 *   window cpu: <user µs> <sys µs> [us]
 *   window csw: <voluntary> <involuntary>
 *   rss: <VmRSS kB> <VmHWM kB> [kB]
 * Returns 0, or -1 if stdin ended early. */
static inline int bench_idle_window (void)
{
    bench_usage_t a, b;
    long t0, t1;
    if (bench_wait_line ("start") != 0)
        return -1;
    bench_usage (&a);
    t0 = bench_now_us ();
    if (bench_wait_line ("stop") != 0)
        return -1;
    bench_usage (&b);
    t1 = bench_now_us ();
    printf ("window wall: %ld\n", t1 - t0);
    printf ("window cpu: %ld %ld [us]\n", b.user_us - a.user_us, b.sys_us - a.sys_us);
    printf ("window csw: %ld %ld\n", b.vol_csw - a.vol_csw, b.invol_csw - a.invol_csw);
    printf ("rss: %ld %ld [kB]\n", bench_status_kb ("VmRSS"), bench_status_kb ("VmHWM"));
    fflush (stdout);
    return 0;
}

#endif
