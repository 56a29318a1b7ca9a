#include "CCowlabShim.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

extern char **environ;

enum { COWLAB_CONTROL_FD = 3 };

int cowlab_spawn(const char *path, char *_Nullable const argv[_Nonnull], char *_Nullable const *_Nullable envp,
                 int control_fd, pid_t *pid_out) {
    // dup2(3, 3) in the child would be a no-op that leaves CLOEXEC set on some libcs:
    // move the fd out of the way first.
    int moved = -1;
    if (control_fd == COWLAB_CONTROL_FD) {
        moved = fcntl(control_fd, F_DUPFD_CLOEXEC, COWLAB_CONTROL_FD + 1);
        if (moved < 0) return -errno;
        control_fd = moved;
    }
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    int rc = posix_spawn_file_actions_init(&actions);
    if (rc != 0) goto out_moved;
    rc = posix_spawnattr_init(&attr);
    if (rc != 0) goto out_actions;

    if ((rc = posix_spawn_file_actions_adddup2(&actions, control_fd, COWLAB_CONTROL_FD)) != 0) goto out_attr;
    if ((rc = posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)) != 0) goto out_attr;

    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    if ((rc = posix_spawnattr_setsigmask(&attr, &none)) != 0) goto out_attr;
    if ((rc = posix_spawnattr_setsigdefault(&attr, &all)) != 0) goto out_attr;
    if ((rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)) != 0) goto out_attr;

    pid_t pid;
    rc = posix_spawn(&pid, path, &actions, &attr, (char *const *)argv, envp ? (char *const *)envp : environ);
    if (rc == 0) *pid_out = pid;

out_attr:
    posix_spawnattr_destroy(&attr);
out_actions:
    posix_spawn_file_actions_destroy(&actions);
out_moved:
    if (moved >= 0) close(moved);
    return -rc;
}

int cowlab_seqpacket_pair(int fds[_Nonnull 2]) {
    return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) == 0 ? 0 : -errno;
}

ssize_t cowlab_send_message(int fd, const void *buf, size_t len) {
    for (;;) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n >= 0) return n;
        if (errno != EINTR) return -errno;
    }
}

ssize_t cowlab_recv_message(int fd, void *buf, size_t cap, int *received_fd, int *truncated) {
    union {
        struct cmsghdr align;
        char bytes[CMSG_SPACE(sizeof(int) * 4)];
    } control;
    struct iovec iov = {.iov_base = buf, .iov_len = cap};
    struct msghdr mh;
    ssize_t n;
    *received_fd = -1;
    *truncated = 0;
    do {
        memset(&mh, 0, sizeof mh);
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        mh.msg_control = control.bytes;
        mh.msg_controllen = sizeof control.bytes;
        n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return -errno;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < count; i++) {
            int got;
            memcpy(&got, CMSG_DATA(c) + i * sizeof(int), sizeof got);
            if (*received_fd < 0)
                *received_fd = got;
            else
                close(got);
        }
    }
    if (mh.msg_flags & MSG_TRUNC) *truncated = 1;
    return n;
}

int cowlab_set_child_subreaper(void) {
    return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0 ? 0 : -errno;
}

const char *_Nullable cowlab_signal_abbrev(int signo) {
    return sigabbrev_np(signo);
}
