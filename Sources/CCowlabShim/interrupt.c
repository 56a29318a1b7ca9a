// Interrupt handling for the observer: the handler only records the signal
// (async-signal-safe); the Swift side notices it when a poll returns EINTR.
#include "CCowlabShim.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>

static volatile sig_atomic_t cowlab_pending_signal = 0;

static void cowlab_record_signal(int signo) {
    cowlab_pending_signal = signo;
}

int cowlab_install_interrupt_handlers(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = cowlab_record_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: blocked calls return EINTR */
    const int signals[] = {SIGINT, SIGTERM, SIGHUP};
    sigset_t unblock;
    sigemptyset(&unblock);
    for (unsigned i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        if (sigaction(signals[i], &sa, NULL) != 0) return -errno;
        sigaddset(&unblock, signals[i]);
    }
    /* A parent may have started us with these signals blocked (the mask is
       inherited across exec); unblock them in this thread, which drives the run. */
    int rc = pthread_sigmask(SIG_UNBLOCK, &unblock, NULL);
    return rc == 0 ? 0 : -rc;
}

int cowlab_interrupted_signal(void) {
    return cowlab_pending_signal;
}
