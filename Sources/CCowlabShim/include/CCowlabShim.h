// CCowlabShim: only what Swift cannot reach on Linux — posix_spawn with file actions,
// SOCK_SEQPACKET|SOCK_CLOEXEC socketpairs, SCM_RIGHTS, prctl and sigabbrev_np.
//
// Every function returns 0 (or a count) on success and -errno on failure; none relies on
// the caller reading errno afterwards. Every call retries EINTR where that is safe.
#ifndef CCOWLAB_SHIM_H
#define CCOWLAB_SHIM_H

#include <stddef.h>
#include <sys/types.h>

#pragma clang assume_nonnull begin

/// Starts `path` with `argv` (NULL-terminated) and `envp` (NULL-terminated; NULL means this
/// process's environment) by posix_spawn.
/// In the child, `control_fd` becomes fd 3 (CLOEXEC cleared), stdin is /dev/null, stdout and
/// stderr are inherited, the signal mask is empty and every signal has its default action.
/// `control_fd` may be any fd, including 3. Returns 0 and stores the pid, or -errno.
/// The corresponding C function is `posix_spawn`.
int cowlab_spawn(const char *path, char *_Nullable const argv[_Nonnull], char *_Nullable const *_Nullable envp,
                 int control_fd, pid_t *pid_out);

/// socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC). Returns 0 or -errno.
/// The corresponding C function is `socketpair`.
int cowlab_seqpacket_pair(int fds[_Nonnull 2]);

/// Sends one message (MSG_NOSIGNAL: a dead peer gives -EPIPE, not SIGPIPE).
/// Returns the number of bytes sent or -errno. The corresponding C function is `send`.
ssize_t cowlab_send_message(int fd, const void *buf, size_t len);

/// Receives one message into `buf`. Up to one fd passed with SCM_RIGHTS is stored in
/// `*received_fd` (CLOEXEC), else -1 is stored; extra fds are closed. `*truncated` is set
/// to 1 when the message did not fit. Returns the message length, 0 at EOF, or -errno.
/// The corresponding C function is `recvmsg`.
ssize_t cowlab_recv_message(int fd, void *buf, size_t cap, int *received_fd, int *truncated);

/// prctl(PR_SET_CHILD_SUBREAPER, 1): orphaned descendants are reparented to this process.
/// Returns 0 or -errno.
int cowlab_set_child_subreaper(void);

/// "KILL" for SIGKILL (sigabbrev_np), or NULL for an unknown number.
const char *_Nullable cowlab_signal_abbrev(int signo);

/// Installs SIGINT, SIGTERM and SIGHUP handlers (without SA_RESTART) that only record
/// the signal, so a blocked poll returns EINTR and the run can stop its subjects and
/// remove its files before exiting. The corresponding C function is `sigaction`.
/// Returns 0 or -errno.
int cowlab_install_interrupt_handlers(void);

/// The signal recorded by those handlers, or 0.
int cowlab_interrupted_signal(void);

#pragma clang assume_nonnull end

#endif
