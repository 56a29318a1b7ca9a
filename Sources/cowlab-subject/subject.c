// cowlab-subject: the process whose memory an experiment measures.
//
// Single-threaded, no stdio, no allocation of its own: the only malloc calls are the
// `malloc` operation itself, so a fresh subject has no [heap] mapping. It is linked as
// plain C (see Package.swift) so that no runtime initialiser allocates either.
//
// Usage: cowlab-subject 1 <observer-pid>, with a connected AF_UNIX SOCK_SEQPACKET socket
// on fd 3. One message is one request or one reply. The protocol is described in
// docs/subject-protocol.md.
//
// Exit codes of its own: 111 parent is not the expected observer (it died before
// PR_SET_PDEATHSIG was armed), 112 bad command line, 113 control socket unusable.
// Otherwise it exits 0 on EOF of its control socket, or with the `exit` code.

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wire.h"

// Advice values newer than some libc headers.
#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#endif
#ifndef MADV_KEEPONFORK
#define MADV_KEEPONFORK 19
#endif
#ifndef MADV_COLD
#define MADV_COLD 20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

enum {
    CONTROL_FD = 3,
    PROTOCOL_VERSION = 1,
    REGIONS_MAX = 64,
    EXIT_WRONG_PARENT = 111,
    EXIT_USAGE = 112,
    EXIT_CONTROL = 113,
};

enum region_kind { REGION_UNUSED = 0, REGION_MALLOC, REGION_MMAP };

struct region {
    char name[COWLAB_NAME_MAX + 1];
    enum region_kind kind;
    unsigned char *addr;
    size_t len;
};

// Static, so a forked child inherits it with the rest of the address space.
static struct region regions[REGIONS_MAX];
static size_t page_size;
static const char *current_op = "?";
static bool reply_ready;  // a handler built a reply for the main loop to send

// ---- sending -------------------------------------------------------------------------

/// Sends one message on the control socket, optionally with one fd (SCM_RIGHTS).
/// If the observer is gone there is nobody to serve: exit quietly.
static void send_message(const char *buf, size_t len, int pass_fd) {
    struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
    union {
        struct cmsghdr align;
        char bytes[CMSG_SPACE(sizeof(int))];
    } control;
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    if (pass_fd >= 0) {
        memset(&control, 0, sizeof control);
        mh.msg_control = control.bytes;
        mh.msg_controllen = sizeof control.bytes;
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
    }
    for (;;) {
        ssize_t n = sendmsg(CONTROL_FD, &mh, MSG_NOSIGNAL);
        if (n >= 0) return;
        if (errno == EINTR) continue;
        _exit(errno == EPIPE || errno == ECONNRESET ? 0 : EXIT_CONTROL);
    }
}

static void send_reply(int pass_fd) {
    size_t len;
    const char *text = cowlab_reply_text(&len);
    send_message(text, len, pass_fd);
}

static void ok(void) {
    cowlab_reply_begin("ok");
    reply_ready = true;
}

/// Builds `err op=OP errno=N what=WORD`.
static void fail(int err, const char *what) {
    cowlab_reply_begin("err");
    cowlab_reply_str("op", current_op);
    cowlab_reply_i64("errno", err);
    cowlab_reply_str("what", what);
    reply_ready = true;
}

// ---- arguments -----------------------------------------------------------------------

static bool need_u64(cowlab_request *rq, const char *key, uint64_t *out) {
    const char *v = cowlab_arg_get(rq, key);
    if (!v) {
        fail(EINVAL, "missing-argument");
        return false;
    }
    if (!cowlab_parse_u64(v, out)) {
        fail(EINVAL, "bad-argument");
        return false;
    }
    return true;
}

static bool opt_u64(cowlab_request *rq, const char *key, uint64_t fallback, uint64_t *out) {
    const char *v = cowlab_arg_get(rq, key);
    if (!v) {
        *out = fallback;
        return true;
    }
    if (!cowlab_parse_u64(v, out)) {
        fail(EINVAL, "bad-argument");
        return false;
    }
    return true;
}

static bool need_byte(cowlab_request *rq, uint64_t *out) {
    if (!need_u64(rq, "byte", out)) return false;
    if (*out > 255) {
        fail(EINVAL, "bad-argument");
        return false;
    }
    return true;
}

/// Picks one of `choices` (NULL-terminated); returns its index, or -1 after failing.
static int need_choice(cowlab_request *rq, const char *key, const char *fallback, const char *const *choices) {
    const char *v = cowlab_arg_get(rq, key);
    if (!v) v = fallback;
    if (!v) {
        fail(EINVAL, "missing-argument");
        return -1;
    }
    for (int i = 0; choices[i]; i++)
        if (strcmp(v, choices[i]) == 0) return i;
    fail(EINVAL, "bad-argument");
    return -1;
}

/// After all arguments were read: any key left over is an error, before any effect.
static bool no_extra_args(const cowlab_request *rq) {
    if (cowlab_arg_unused(rq)) {
        fail(EINVAL, "unknown-key");
        return false;
    }
    return true;
}

static const char *need_name(cowlab_request *rq, const char *key) {
    const char *v = cowlab_arg_get(rq, key);
    if (!v) {
        fail(EINVAL, "missing-argument");
        return NULL;
    }
    if (!cowlab_valid_name(v)) {
        fail(EINVAL, "bad-argument");
        return NULL;
    }
    return v;
}

static struct region *find_region(const char *name) {
    for (int i = 0; i < REGIONS_MAX; i++)
        if (regions[i].kind != REGION_UNUSED && strcmp(regions[i].name, name) == 0) return &regions[i];
    return NULL;
}

/// The region named by `region=`, or NULL after failing.
static struct region *need_region(cowlab_request *rq) {
    const char *name = need_name(rq, "region");
    if (!name) return NULL;
    struct region *r = find_region(name);
    if (!r) fail(EINVAL, "unknown-region");
    return r;
}

/// A free slot for a new region called by `region=`, or NULL after failing. The slot
/// stays unused (and so free) until the caller sets its kind after success.
static struct region *new_region(cowlab_request *rq) {
    const char *name = need_name(rq, "region");
    if (!name) return NULL;
    if (find_region(name)) {
        fail(EEXIST, "region-exists");
        return NULL;
    }
    for (int i = 0; i < REGIONS_MAX; i++) {
        if (regions[i].kind == REGION_UNUSED) {
            memset(&regions[i], 0, sizeof regions[i]);
            memcpy(regions[i].name, name, strlen(name) + 1);
            return &regions[i];
        }
    }
    fail(ENOSPC, "table-full");
    return NULL;
}

/// Reads `offset=` and `length=` (default: the rest of the region) and checks that
/// [offset, offset+length) lies inside the region.
static bool need_range(cowlab_request *rq, const struct region *r, size_t *off, size_t *len) {
    uint64_t o, l;
    if (!opt_u64(rq, "offset", 0, &o)) return false;
    if (o > r->len) {
        fail(EINVAL, "out-of-range");
        return false;
    }
    if (!opt_u64(rq, "length", r->len - o, &l)) return false;
    if (l > r->len - o) {
        fail(EINVAL, "out-of-range");
        return false;
    }
    *off = (size_t)o;
    *len = (size_t)l;
    return true;
}

static bool need_size(cowlab_request *rq, size_t *size) {
    uint64_t v;
    if (!need_u64(rq, "size", &v)) return false;
    if (v == 0 || v > (uint64_t)PTRDIFF_MAX) {
        fail(EINVAL, "bad-argument");
        return false;
    }
    *size = (size_t)v;
    return true;
}

// ---- operations ----------------------------------------------------------------------

static void op_ping(cowlab_request *rq) {
    if (!no_extra_args(rq)) return;
    ok();
}

static void op_sleep(cowlab_request *rq) {
    uint64_t ms;
    if (!need_u64(rq, "ms", &ms)) return;
    if (ms > 24ull * 3600 * 1000) {
        fail(EINVAL, "bad-argument");
        return;
    }
    if (!no_extra_args(rq)) return;
    struct timespec t = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0 && errno == EINTR) {
    }
    ok();
}

static void op_malloc(cowlab_request *rq) {
    size_t size;
    struct region *r = new_region(rq);
    if (!r || !need_size(rq, &size) || !no_extra_args(rq)) return;
    void *p = malloc(size);
    if (!p) {
        fail(errno ? errno : ENOMEM, "malloc");
        return;
    }
    r->kind = REGION_MALLOC;
    r->addr = p;
    r->len = size;
    ok();
    cowlab_reply_hex("addr", (uintptr_t)p);
    cowlab_reply_u64("len", size);
}

static void op_free(cowlab_request *rq) {
    struct region *r = need_region(rq);
    if (!r || !no_extra_args(rq)) return;
    if (r->kind != REGION_MALLOC) {
        fail(EINVAL, "wrong-kind");
        return;
    }
    free(r->addr);
    r->kind = REGION_UNUSED;
    ok();
}

/// True if any of the page at `addr` is mapped: mincore fails with ENOMEM on unmapped space.
static bool page_is_mapped(const unsigned char *addr) {
    unsigned char vec[1];
    if (mincore((void *)addr, page_size, vec) == 0) return true;
    return errno != ENOMEM;
}

/// mmap that starts at a multiple of `align` and is a VMA of its own when it is made.
///
/// The kernel places an anonymous mapping right next to the lowest existing one and merges
/// it with a neighbour that has the same flags (in a fresh subject: the anonymous block
/// ld.so mapped for the main thread's TLS), so smaps would count the neighbour's pages as
/// the region's. But where the kernel puts a mapping also matters (it aligns large file
/// and anonymous mappings to a page-table boundary, which decides fault-around and huge
/// pages), so we keep its choice when we can:
///  1. probe: map the same thing PROT_NONE, without MAP_POPULATE, to learn the kernel's
///     address; nothing is faulted in;
///  2. if that address is `align`-aligned and has unmapped space on both sides, map the
///     region there (MAP_FIXED over the probe);
///  3. otherwise reserve `span + M + 2 pages` of PROT_NONE space (M = the larger of `align`
///     and the span one page table maps, 2 MiB with 4 KiB pages), place the region with
///     MAP_FIXED at the first address at least a page in that is congruent to the
///     kernel's choice modulo M (rounded down to `align`), and unmap the rest: at least
///     one unmapped page stays on each side.
static void *map_own(size_t size, size_t align, int prot, int flags, int fd, off_t offset) {
    size_t span = ((size + page_size - 1) / page_size) * page_size;
    size_t pmd_span = page_size / sizeof(void *) * page_size;  // one page table's reach
    size_t modulus = align > pmd_span ? align : pmd_span;
    if (span < size || span > SIZE_MAX - modulus - 2 * page_size) {
        errno = ENOMEM;
        return MAP_FAILED;
    }
    unsigned char *probe = mmap(NULL, size, PROT_NONE, flags & ~MAP_POPULATE, fd, offset);
    if (probe == MAP_FAILED) return MAP_FAILED;
    if ((uintptr_t)probe % align == 0 && !page_is_mapped(probe - page_size) && !page_is_mapped(probe + span)) {
        void *p = mmap(probe, size, prot, flags | MAP_FIXED, fd, offset);
        if (p == MAP_FAILED) {
            int saved = errno;
            munmap(probe, span);
            errno = saved;
        }
        return p;
    }
    uintptr_t residue = ((uintptr_t)probe % modulus) / align * align;
    munmap(probe, span);
    size_t reserve = span + modulus + 2 * page_size;
    unsigned char *res = mmap(NULL, reserve, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (res == MAP_FAILED) return MAP_FAILED;
    // start - res lies in [page, page + modulus), so the tail left is more than a page.
    uintptr_t lo = (uintptr_t)res + page_size;
    uintptr_t at = lo - lo % modulus + residue;
    if (at < lo) at += modulus;
    unsigned char *start = (unsigned char *)at;
    void *p = mmap(start, size, prot, flags | MAP_FIXED, fd, offset);
    if (p == MAP_FAILED) {
        int saved = errno;
        munmap(res, reserve);
        errno = saved;
        return MAP_FAILED;
    }
    munmap(res, (size_t)(start - res));
    munmap(start + span, (size_t)(res + reserve - (start + span)));
    return p;
}

static void op_mmap(cowlab_request *rq) {
    static const char *const kinds[] = {"anon", "file", NULL};
    static const char *const shares[] = {"shared", "private", NULL};
    static const char *const prots[] = {"r", "rw", NULL};
    static const char *const flags01[] = {"0", "1", NULL};

    struct region *r = new_region(rq);
    if (!r) return;
    size_t size;
    if (!need_size(rq, &size)) return;
    int kind = need_choice(rq, "kind", NULL, kinds);
    if (kind < 0) return;
    int share = need_choice(rq, "share", NULL, shares);
    if (share < 0) return;
    int prot = need_choice(rq, "prot", NULL, prots);
    if (prot < 0) return;
    int populate = need_choice(rq, "populate", "0", flags01);
    if (populate < 0) return;
    const char *path = cowlab_arg_get(rq, "path");
    const char *offset_text = cowlab_arg_get(rq, "offset");
    uint64_t offset = 0;
    bool is_file = kind == 1;
    if (is_file && !path) {
        fail(EINVAL, "missing-argument");
        return;
    }
    if ((!is_file && (path || offset_text)) || (path && path[0] != '/')) {
        fail(EINVAL, "bad-argument");
        return;
    }
    if (offset_text && (!cowlab_parse_u64(offset_text, &offset) || offset > (uint64_t)INT64_MAX)) {
        fail(EINVAL, "bad-argument");
        return;
    }
    // align=N: the mapping starts at a multiple of N (a power of two, at least a page).
    uint64_t align;
    if (!opt_u64(rq, "align", page_size, &align)) return;
    if (align < page_size || (align & (align - 1)) != 0 || align > ((uint64_t)1 << 40)) {
        fail(EINVAL, "bad-argument");
        return;
    }
    if (!no_extra_args(rq)) return;

    bool shared = share == 0, writable = prot == 1;
    int mflags = (shared ? MAP_SHARED : MAP_PRIVATE) | (populate ? MAP_POPULATE : 0);
    int mprot = PROT_READ | (writable ? PROT_WRITE : 0);
    int fd = -1;
    if (is_file) {
        fd = open(path, ((shared && writable) ? O_RDWR : O_RDONLY) | O_CLOEXEC);
        if (fd < 0) {
            fail(errno, "open");
            return;
        }
    } else {
        mflags |= MAP_ANONYMOUS;
    }
    void *p = map_own(size, (size_t)align, mprot, mflags, fd, (off_t)offset);
    int saved = errno;
    if (fd >= 0) close(fd);  // the mapping keeps the file; the fd is not needed
    if (p == MAP_FAILED) {
        fail(saved, "mmap");
        return;
    }
    r->kind = REGION_MMAP;
    r->addr = p;
    r->len = size;
    ok();
    cowlab_reply_hex("addr", (uintptr_t)p);
    cowlab_reply_u64("len", size);
}

static void op_fill(cowlab_request *rq) {
    uint64_t byte;
    size_t off, len;
    struct region *r = need_region(rq);
    if (!r || !need_byte(rq, &byte) || !need_range(rq, r, &off, &len) || !no_extra_args(rq)) return;
    unsigned char *p = r->addr + off;
    memset(p, (int)byte, len);
    // Nothing in this program reads the bytes back, so an optimising compiler may drop
    // the memset as a dead store. The empty asm takes `p` as input and clobbers memory:
    // the compiler must assume it reads the buffer, so the stores really happen (and the
    // page faults the experiment measures really occur).
    __asm__ volatile("" : : "r"(p) : "memory");
    ok();
    cowlab_reply_u64("bytes", len);
}

/// copy from=A to=B: memcpy all of region A to the start of region B (which must be at
/// least as long), like a language runtime copying a freshly built value over an old one.
static void op_copy(cowlab_request *rq) {
    const char *from_name = need_name(rq, "from");
    if (!from_name) return;
    const char *to_name = need_name(rq, "to");
    if (!to_name || !no_extra_args(rq)) return;
    struct region *from = find_region(from_name), *to = find_region(to_name);
    if (!from || !to) {
        fail(EINVAL, "unknown-region");
        return;
    }
    if (from == to || to->len < from->len) {
        fail(EINVAL, "out-of-range");
        return;
    }
    memcpy(to->addr, from->addr, from->len);
    // As in fill: nothing reads the destination afterwards, so without this barrier the
    // compiler may treat the memcpy as a dead store and drop it (and its page faults).
    __asm__ volatile("" : : "r"(to->addr) : "memory");
    ok();
    cowlab_reply_u64("bytes", from->len);
}

/// Reads one int at `p` with a load the compiler cannot drop or merge; byte by byte when
/// fewer than sizeof(int) bytes remain or `p` is unaligned.
static unsigned read_int(const unsigned char *p, size_t avail) {
    if (avail >= sizeof(int) && ((uintptr_t)p % sizeof(int)) == 0) return (unsigned)*(const volatile int *)p;
    unsigned v = 0;
    size_t n = avail < sizeof(int) ? avail : sizeof(int);
    for (size_t i = 0; i < n; i++) v = (v << 8) | ((const volatile unsigned char *)p)[i];
    return v;
}

static void op_touch(cowlab_request *rq) {
    static const char *const modes[] = {"page", "one", NULL};
    size_t off, len;
    struct region *r = need_region(rq);
    if (!r || !need_range(rq, r, &off, &len)) return;
    int mode = need_choice(rq, "mode", "page", modes);
    if (mode < 0 || !no_extra_args(rq)) return;
    uint64_t sum = 0;
    const unsigned char *start = r->addr + off, *end = start + len;
    if (mode == 1) {
        if (len < sizeof(int)) {
            fail(EINVAL, "out-of-range");
            return;
        }
        sum = read_int(start, len);
    } else {
        // One read in every page the range covers: at its start, then at each page
        // boundary inside it (the region itself need not be page-aligned).
        const unsigned char *p = start;
        while (p < end) {
            sum += read_int(p, (size_t)(end - p));
            uintptr_t next = ((uintptr_t)p / page_size + 1) * page_size;
            p = (const unsigned char *)next;
        }
    }
    ok();
    cowlab_reply_u64("sum", sum);
}

static void op_check(cowlab_request *rq) {
    uint64_t byte;
    size_t off, len;
    struct region *r = need_region(rq);
    if (!r || !need_byte(rq, &byte) || !need_range(rq, r, &off, &len) || !no_extra_args(rq)) return;
    const volatile unsigned char *p = r->addr;
    for (size_t i = off; i < off + len; i++) {
        unsigned char found = p[i];
        if (found != (unsigned char)byte) {
            ok();
            cowlab_reply_u64("match", 0);
            cowlab_reply_u64("at", i);
            cowlab_reply_u64("found", found);
            return;
        }
    }
    ok();
    cowlab_reply_u64("match", 1);
}

static void op_madvise(cowlab_request *rq) {
    static const char *const names[] = {"dontneed",   "dontfork", "dofork",  "wipeonfork",    "keeponfork",
                                        "hugepage",   "nohugepage", "willneed", "cold",        "pageout",
                                        "free",       "populate_read", "populate_write", NULL};
    static const int values[] = {MADV_DONTNEED,  MADV_DONTFORK, MADV_DOFORK, MADV_WIPEONFORK, MADV_KEEPONFORK,
                                 MADV_HUGEPAGE,  MADV_NOHUGEPAGE, MADV_WILLNEED, MADV_COLD,   MADV_PAGEOUT,
                                 MADV_FREE,      MADV_POPULATE_READ, MADV_POPULATE_WRITE};
    size_t off, len;
    struct region *r = need_region(rq);
    if (!r || !need_range(rq, r, &off, &len)) return;
    int advice = need_choice(rq, "advice", NULL, names);
    if (advice < 0 || !no_extra_args(rq)) return;
    if (madvise(r->addr + off, len, values[advice]) != 0) {
        fail(errno, "madvise");
        return;
    }
    ok();
}

static void op_msync(cowlab_request *rq) {
    static const char *const names[] = {"sync", "async", "invalidate", NULL};
    static const int values[] = {MS_SYNC, MS_ASYNC, MS_INVALIDATE};
    struct region *r = need_region(rq);
    if (!r) return;
    int flags = need_choice(rq, "flags", "sync", names);
    if (flags < 0 || !no_extra_args(rq)) return;
    if (msync(r->addr, r->len, values[flags]) != 0) {
        fail(errno, "msync");
        return;
    }
    ok();
}

static void op_munmap(cowlab_request *rq) {
    struct region *r = need_region(rq);
    if (!r || !no_extra_args(rq)) return;
    if (r->kind != REGION_MMAP) {
        fail(EINVAL, "wrong-kind");
        return;
    }
    if (munmap(r->addr, r->len) != 0) {
        fail(errno, "munmap");
        return;
    }
    r->kind = REGION_UNUSED;
    ok();
}

static void op_mlock(cowlab_request *rq) {
    struct region *r = need_region(rq);
    if (!r || !no_extra_args(rq)) return;
    if (mlock(r->addr, r->len) != 0) {
        fail(errno, "mlock");
        return;
    }
    ok();
}

static void op_munlock(cowlab_request *rq) {
    struct region *r = need_region(rq);
    if (!r || !no_extra_args(rq)) return;
    if (munlock(r->addr, r->len) != 0) {
        fail(errno, "munlock");
        return;
    }
    ok();
}

static void close_fds_from(int first) {
    if (close_range((unsigned)first, ~0U, 0) == 0) return;
    for (int fd = first; fd < 1024; fd++) close(fd);  // kernels without close_range
}

/// How deep the subject's own stack may grow, with room to spare: its deepest call
/// chain (a request, a reply, a memcpy) uses well under this.
#define OWN_STACK_BYTES (64 * 1024)

/// The highest byte of the stack that holds anything (the end of AT_EXECFN's string,
/// the last thing the kernel puts there), recorded at start.
static uintptr_t stack_top;

/// Writes every page of the subject's own stack, from OWN_STACK_BYTES below the
/// current frame up to `stack_top`, so the subject's own stack never shows up in an
/// experiment. At start this makes those pages resident; right after fork, in parent
/// and child, it breaks copy-on-write on all of them at once. Without it, whichever
/// stack page a later step happens to write first (frames and the argument area move
/// within their pages from run to run: the stack's placement is randomised) would be
/// copied during that step and add a page to a whole-process Shared_Dirty →
/// Private_Dirty shift. Below the frame the stores write zeros into unused stack;
/// above it each page gets one volatile read and a write of the same byte back, which
/// changes no data but is a write for copy-on-write. The stride is smaller than any
/// page size.
static __attribute__((noinline)) void own_stack(void) {
    volatile unsigned char pad[OWN_STACK_BYTES];
    for (size_t i = 0; i < sizeof pad; i += 512) pad[i] = 0;
    if (stack_top != 0) {
        uintptr_t p = ((uintptr_t)pad + sizeof pad) & ~(uintptr_t)(page_size - 1);
        for (; p <= stack_top; p += page_size) {
            volatile unsigned char *b = (volatile unsigned char *)p;
            *b = *b;
        }
    }
    __asm__ volatile("" : : "r"(pad) : "memory");
}

static void send_hello(pid_t parent) {
    cowlab_reply_begin("hello");
    cowlab_reply_u64("v", PROTOCOL_VERSION);
    cowlab_reply_u64("pid", (uint64_t)getpid());
    if (parent > 0) cowlab_reply_u64("parent", (uint64_t)parent);
    send_reply(-1);
}

static void op_fork(cowlab_request *rq) {
    if (!need_name(rq, "child") || !no_extra_args(rq)) return;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
        fail(errno, "socketpair");
        return;
    }
    pid_t me = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        int saved = errno;
        close(sv[0]);
        close(sv[1]);
        fail(saved, "fork");
        return;
    }
    if (pid == 0) {
        // Child: die with the parent; if the parent is already gone, prctl came too late.
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) _exit(EXIT_CONTROL);
        if (getppid() != me) _exit(EXIT_WRONG_PARENT);
        // fd 3 becomes our own control socket; dup2 clears CLOEXEC on it and closes the
        // parent's control socket we inherited, so the parent's peer never sees us.
        if (dup2(sv[1], CONTROL_FD) < 0) _exit(EXIT_CONTROL);
        close_fds_from(CONTROL_FD + 1);
        own_stack();
        send_hello(me);
        return;  // reply_ready stays false: the main loop goes on serving fd 3
    }
    close(sv[1]);
    own_stack();
    ok();
    cowlab_reply_u64("pid", (uint64_t)pid);
    send_reply(sv[0]);
    close(sv[0]);
    reply_ready = false;  // already sent, with the fd attached
}

static void op_wait(cowlab_request *rq) {
    uint64_t pid;
    if (!need_u64(rq, "pid", &pid)) return;
    if (pid == 0 || pid > INT_MAX) {
        fail(EINVAL, "bad-argument");
        return;
    }
    if (!no_extra_args(rq)) return;
    int status;
    pid_t got;
    while ((got = waitpid((pid_t)pid, &status, 0)) < 0 && errno == EINTR) {
    }
    if (got < 0) {
        fail(errno, "waitpid");
        return;
    }
    ok();
    if (WIFEXITED(status)) {
        cowlab_reply_str("status", "exited");
        cowlab_reply_u64("code", (uint64_t)WEXITSTATUS(status));
    } else {
        cowlab_reply_str("status", "signaled");
        cowlab_reply_u64("signal", (uint64_t)WTERMSIG(status));
    }
}

static void op_exit(cowlab_request *rq) {
    uint64_t code;
    if (!opt_u64(rq, "code", 0, &code)) return;
    if (code > 255) {
        fail(EINVAL, "bad-argument");
        return;
    }
    if (!no_extra_args(rq)) return;
    ok();
    send_reply(-1);
    _exit((int)code);
}

struct operation {
    const char *name;
    void (*run)(cowlab_request *);
};

static const struct operation operations[] = {
    {"ping", op_ping},       {"sleep", op_sleep},   {"malloc", op_malloc}, {"free", op_free},
    {"mmap", op_mmap},       {"fill", op_fill},     {"touch", op_touch},   {"check", op_check},
    {"madvise", op_madvise}, {"msync", op_msync},   {"munmap", op_munmap}, {"mlock", op_mlock},
    {"munlock", op_munlock}, {"fork", op_fork},     {"wait", op_wait},     {"exit", op_exit},
    {"copy", op_copy},
};

// ---- main loop -----------------------------------------------------------------------

static void handle(char *text, bool truncated) {
    static cowlab_request rq;
    current_op = "?";
    reply_ready = false;
    if (truncated) {
        fail(EINVAL, "too-long");
        return;
    }
    if (!cowlab_parse_request(text, &rq)) {
        // Name the op in the error when at least the first token looks like one.
        if (rq.op && cowlab_valid_name(rq.op)) current_op = rq.op;
        fail(EINVAL, "malformed");
        return;
    }
    if (!cowlab_valid_name(rq.op)) {
        fail(EINVAL, "unknown-op");
        return;
    }
    current_op = rq.op;
    for (size_t i = 0; i < sizeof operations / sizeof operations[0]; i++) {
        if (strcmp(operations[i].name, rq.op) == 0) {
            operations[i].run(&rq);
            return;
        }
    }
    fail(EINVAL, "unknown-op");
}

static void serve(void) {
    static char buf[COWLAB_MSG_MAX + 1];
    for (;;) {
        struct iovec iov = {.iov_base = buf, .iov_len = COWLAB_MSG_MAX};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};  // no control buffer: passed fds are dropped
        ssize_t n = recvmsg(CONTROL_FD, &mh, MSG_CMSG_CLOEXEC);
        if (n < 0) {
            if (errno == EINTR) continue;
            _exit(errno == ECONNRESET ? 0 : EXIT_CONTROL);
        }
        if (n == 0) _exit(0);  // EOF: the observer (or our parent's end) is gone
        buf[n] = '\0';
        handle(buf, (mh.msg_flags & MSG_TRUNC) != 0);
        if (reply_ready) send_reply(-1);
    }
}

int main(int argc, char **argv) {
    uint64_t observer;
    if (argc != 3 || strcmp(argv[1], "1") != 0 || !cowlab_parse_u64(argv[2], &observer) || observer == 0 ||
        observer > INT_MAX)
        _exit(EXIT_USAGE);
    // Die with the observer. If it died before this prctl, we were already reparented and
    // the signal will never come: the getppid check closes that race.
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) _exit(EXIT_CONTROL);
    if (getppid() != (pid_t)observer) _exit(EXIT_WRONG_PARENT);
    long ps = sysconf(_SC_PAGESIZE);
    if (ps <= 0) _exit(EXIT_CONTROL);
    page_size = (size_t)ps;
    const char *execfn = (const char *)getauxval(AT_EXECFN);
    if (execfn == NULL) execfn = argv[0];
    stack_top = (uintptr_t)execfn + strlen(execfn);
    own_stack();
    send_hello(0);
    serve();
    return 0;
}
