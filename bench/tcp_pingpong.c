/* The floor: one blocking round trip of a small message between two processes over
 * 127.0.0.1 with TCP_NODELAY, no serialization, no event loop. Any request/response
 * queue on this machine pays at least this per hop. Prints one JSON line.
 *   tcp_pingpong [round_trips=20000] [message_bytes=32]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void transfer(int fd, char *buffer, size_t size, int writing)
{
    size_t done = 0;
    while (done < size) {
        ssize_t n = writing ? write(fd, buffer + done, size - done) : read(fd, buffer + done, size - done);
        if (n <= 0) {
            perror(writing ? "write" : "read");
            exit(1);
        }
        done += (size_t)n;
    }
}

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int by_value(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

static double percentile(const long long *sorted, int n, double p)
{
    double k = (n - 1) * p / 100.0;
    int lo = (int)k, hi = lo + 1 < n ? lo + 1 : lo;
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (k - lo);
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 20000;
    int size = argc > 2 ? atoi(argv[2]) : 32;
    int warmup = 1000, one = 1;
    char *buffer = calloc(1, (size_t)size);
    long long *samples = calloc((size_t)rounds, sizeof *samples);

    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {0};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (bind(listener, (struct sockaddr *)&address, sizeof address) || listen(listener, 1)
        || getsockname(listener, (struct sockaddr *)&address, &length)) {
        perror("listen");
        return 1;
    }
    pid_t child = fork();
    if (child == 0) {
        int fd = accept(listener, NULL, NULL);
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        for (int i = 0; i < rounds + warmup; ++i) {
            transfer(fd, buffer, (size_t)size, 0);
            transfer(fd, buffer, (size_t)size, 1);
        }
        free(samples);
        free(buffer);
        _exit(0);
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(fd, (struct sockaddr *)&address, sizeof address)) {
        perror("connect");
        return 1;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    for (int i = 0; i < warmup; ++i) {
        transfer(fd, buffer, (size_t)size, 1);
        transfer(fd, buffer, (size_t)size, 0);
    }
    long long start = now_ns();
    for (int i = 0; i < rounds; ++i) {
        long long t = now_ns();
        transfer(fd, buffer, (size_t)size, 1);
        transfer(fd, buffer, (size_t)size, 0);
        samples[i] = now_ns() - t;
    }
    double seconds = (now_ns() - start) / 1e9;
    waitpid(child, NULL, 0);
    close(fd);
    close(listener);
    qsort(samples, (size_t)rounds, sizeof *samples, by_value);
    printf("{\"system\": \"tcp-pingpong-c\", \"mode\": \"latency\", \"tasks\": %d, \"seconds\": %.4f, "
           "\"tasks_per_s\": %.1f, \"p50_us\": %.1f, \"p99_us\": %.1f, \"results_ok\": true}\n",
           rounds, seconds, rounds / seconds, percentile(samples, rounds, 50) / 1e3,
           percentile(samples, rounds, 99) / 1e3);
    free(samples);
    free(buffer);
    return 0;
}
