/* print_cpu_time: this process's CPU time so far, every thread's (the
 * library's I/O threads too), printed as "cpu time: <user µs> <sys µs> [us]".
 * bench/run_c.sh adds both processes' times and divides by the message count.
 * Shared by the throughput programs. */
#ifndef BENCH_CPU_TIME_H
#define BENCH_CPU_TIME_H

#include <stdio.h>
#include <sys/resource.h>

static void print_cpu_time (void)
{
    struct rusage ru;
    if (getrusage (RUSAGE_SELF, &ru) != 0)
        return;
    printf ("cpu time: %ld %ld [us]\n",
            (long) ru.ru_utime.tv_sec * 1000000L + (long) ru.ru_utime.tv_usec,
            (long) ru.ru_stime.tv_sec * 1000000L + (long) ru.ru_stime.tv_usec);
}

#endif
