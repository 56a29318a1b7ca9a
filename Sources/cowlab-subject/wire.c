#include "wire.h"

#include <string.h>

enum { ASCII_SPACE = 0x20, ASCII_EQUALS = 0x3d, ASCII_TILDE = 0x7e };

bool cowlab_parse_request(char *text, cowlab_request *req) {
    req->op = NULL;
    req->nargs = 0;
    if (text[0] == '\0') return false;
    for (const char *p = text; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < ASCII_SPACE || c > ASCII_TILDE) return false;
    }
    char *p = text;
    bool first = true;
    for (;;) {
        char *token = p;
        char *space = strchr(p, ASCII_SPACE);
        if (space) *space = '\0';
        if (token[0] == '\0') return false;  // leading, trailing or double space
        if (first) {
            req->op = token;
            first = false;
        } else {
            char *eq = strchr(token, ASCII_EQUALS);
            if (!eq || eq == token) return false;
            *eq = '\0';
            if (strlen(token) > COWLAB_NAME_MAX) return false;
            if (req->nargs == COWLAB_ARGS_MAX) return false;
            for (int i = 0; i < req->nargs; i++)
                if (strcmp(req->args[i].key, token) == 0) return false;
            req->args[req->nargs++] = (cowlab_arg){.key = token, .value = eq + 1, .used = false};
        }
        if (!space) return true;
        p = space + 1;
    }
}

const char *cowlab_arg_get(cowlab_request *req, const char *key) {
    for (int i = 0; i < req->nargs; i++) {
        if (strcmp(req->args[i].key, key) == 0) {
            req->args[i].used = true;
            return req->args[i].value;
        }
    }
    return NULL;
}

const char *cowlab_arg_unused(const cowlab_request *req) {
    for (int i = 0; i < req->nargs; i++)
        if (!req->args[i].used) return req->args[i].key;
    return NULL;
}

bool cowlab_parse_u64(const char *s, uint64_t *out) {
    if (!s || !*s) return false;
    if (s[0] == '0' && s[1] != '\0') return false;  // no leading zeros: one spelling per number
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return false;
        uint64_t d = (uint64_t)(*s - '0');
        if (v > (UINT64_MAX - d) / 10) return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

bool cowlab_valid_name(const char *s) {
    size_t n = 0;
    for (; s[n]; n++) {
        char c = s[n];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || c == '.';
        if (!ok) return false;
    }
    return n >= 1 && n <= COWLAB_NAME_MAX;
}

// ---- reply builder -------------------------------------------------------------------

static char reply_buf[COWLAB_MSG_MAX];
static size_t reply_len;

static void put(const char *s, size_t n) {
    if (n > sizeof reply_buf - reply_len) n = sizeof reply_buf - reply_len;  // never overflow
    memcpy(reply_buf + reply_len, s, n);
    reply_len += n;
}

static void put_key(const char *key) {
    put(" ", 1);
    put(key, strlen(key));
    put("=", 1);
}

void cowlab_reply_begin(const char *word) {
    reply_len = 0;
    put(word, strlen(word));
}

void cowlab_reply_str(const char *key, const char *value) {
    put_key(key);
    put(value, strlen(value));
}

static void put_u64_base(uint64_t v, unsigned base) {
    char tmp[24];
    int i = (int)sizeof tmp;
    do {
        tmp[--i] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    put(tmp + i, sizeof tmp - (size_t)i);
}

void cowlab_reply_u64(const char *key, uint64_t value) {
    put_key(key);
    put_u64_base(value, 10);
}

void cowlab_reply_i64(const char *key, int64_t value) {
    put_key(key);
    if (value < 0) {
        put("-", 1);
        put_u64_base((uint64_t)0 - (uint64_t)value, 10);
    } else {
        put_u64_base((uint64_t)value, 10);
    }
}

void cowlab_reply_hex(const char *key, uint64_t value) {
    put_key(key);
    put("0x", 2);
    put_u64_base(value, 16);
}

const char *cowlab_reply_text(size_t *len) {
    *len = reply_len;
    return reply_buf;
}
