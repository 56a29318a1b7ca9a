// Wire format of the subject protocol (docs/subject-protocol.md): request parsing and
// reply building on static buffers. No stdio, no allocation.
#ifndef COWLAB_SUBJECT_WIRE_H
#define COWLAB_SUBJECT_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    COWLAB_MSG_MAX = 4096,   // one message = one request or one reply, at most this many bytes
    COWLAB_ARGS_MAX = 16,    // key=value tokens per request
    COWLAB_NAME_MAX = 31,    // region names and keys
};

typedef struct {
    const char *key;
    const char *value;
    bool used;
} cowlab_arg;

typedef struct {
    const char *op;
    int nargs;
    cowlab_arg args[COWLAB_ARGS_MAX];
} cowlab_request;

/// Splits `text` (NUL-terminated, modified in place) into op and key=value tokens.
/// Returns false when the message is malformed (empty, double spaces, non-printable
/// bytes, a token without '=', an empty key, a duplicate key, too many tokens).
bool cowlab_parse_request(char *text, cowlab_request *req);

/// The value of `key`, marking it used; NULL when absent.
const char *cowlab_arg_get(cowlab_request *req, const char *key);
/// The first key that no handler asked for, or NULL.
const char *cowlab_arg_unused(const cowlab_request *req);

/// Overflow-checked decimal parse of the whole string.
bool cowlab_parse_u64(const char *s, uint64_t *out);
/// A region or child name: 1..31 bytes of [A-Za-z0-9_.-].
bool cowlab_valid_name(const char *s);

/// Reply builder over one static buffer.
void cowlab_reply_begin(const char *word);
void cowlab_reply_str(const char *key, const char *value);
void cowlab_reply_u64(const char *key, uint64_t value);
void cowlab_reply_i64(const char *key, int64_t value);
void cowlab_reply_hex(const char *key, uint64_t value);
const char *cowlab_reply_text(size_t *len);

#endif
