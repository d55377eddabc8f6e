#ifndef CONVEYOR_CCURL_H
#define CONVEYOR_CCURL_H
/*
 * libcurl, loaded on first use (dlopen of libcurl.so.4) rather than when the executable starts:
 * libcurl brings 32 shared libraries (GnuTLS, Kerberos, LDAP, SSH, ...) whose loading cost every
 * command about 3 ms of CPU and 440 page faults, whether it made an HTTP request or not.
 * Only curl.h's types and constants are used at build time; every call goes through
 * conveyor_curl_api. When libcurl cannot be loaded, the calls fail (CURLE_FAILED_INIT, NULL)
 * and conveyor_curl_load_error() says why.
 */
#include <curl/curl.h>
#include <stddef.h>

typedef struct conveyor_curl_api {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *handle);
    void (*easy_reset)(CURL *handle);
    CURLcode (*easy_perform)(CURL *handle);
    const char *(*easy_strerror)(CURLcode code);
    CURLcode (*easy_setopt)(CURL *handle, CURLoption option, ...);
    CURLcode (*easy_getinfo)(CURL *handle, CURLINFO info, ...);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *text);
    void (*slist_free_all)(struct curl_slist *list);
} conveyor_curl_api;

/* The library's functions, loaded once (thread-safe); NULL when it could not be loaded. */
const conveyor_curl_api *conveyor_curl(void);
/* Why libcurl could not be loaded ("" once it is). */
const char *conveyor_curl_load_error(void);

static inline CURLcode conveyor_curl_global_init(long flags) {
    const conveyor_curl_api *api = conveyor_curl();
    return api ? api->global_init(flags) : CURLE_FAILED_INIT;
}
static inline CURL *conveyor_curl_easy_init(void) {
    const conveyor_curl_api *api = conveyor_curl();
    return api ? api->easy_init() : NULL;
}
static inline void conveyor_curl_easy_cleanup(CURL *h) {
    const conveyor_curl_api *api = conveyor_curl();
    if (api) api->easy_cleanup(h);
}
static inline void conveyor_curl_easy_reset(CURL *h) {
    const conveyor_curl_api *api = conveyor_curl();
    if (api) api->easy_reset(h);
}
static inline CURLcode conveyor_curl_easy_perform(CURL *h) {
    const conveyor_curl_api *api = conveyor_curl();
    return api ? api->easy_perform(h) : CURLE_FAILED_INIT;
}
static inline const char *conveyor_curl_easy_strerror(CURLcode code) {
    const conveyor_curl_api *api = conveyor_curl();
    return api ? api->easy_strerror(code) : "libcurl could not be loaded";
}
static inline struct curl_slist *conveyor_curl_slist_append(struct curl_slist *list, const char *text) {
    const conveyor_curl_api *api = conveyor_curl();
    return api ? api->slist_append(list, text) : NULL;
}
static inline void conveyor_curl_slist_free_all(struct curl_slist *list) {
    const conveyor_curl_api *api = conveyor_curl();
    if (api && list) api->slist_free_all(list);
}

/* curl_easy_setopt and curl_easy_getinfo are variadic: Swift cannot call them directly. */
#define CONVEYOR_CURL_SETOPT(h, o, v) (conveyor_curl() ? conveyor_curl()->easy_setopt((h), (o), (v)) : CURLE_FAILED_INIT)
static inline CURLcode conveyor_curl_setopt_long(CURL *h, CURLoption o, long v) { return CONVEYOR_CURL_SETOPT(h, o, v); }
static inline CURLcode conveyor_curl_setopt_string(CURL *h, CURLoption o, const char *v) { return CONVEYOR_CURL_SETOPT(h, o, v); }
static inline CURLcode conveyor_curl_setopt_pointer(CURL *h, CURLoption o, void *v) { return CONVEYOR_CURL_SETOPT(h, o, v); }
static inline CURLcode conveyor_curl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return CONVEYOR_CURL_SETOPT(h, o, v); }
static inline CURLcode conveyor_curl_setopt_write_function(CURL *h, size_t (*f)(char *, size_t, size_t, void *)) { return CONVEYOR_CURL_SETOPT(h, CURLOPT_WRITEFUNCTION, f); }
static inline CURLcode conveyor_curl_setopt_header_function(CURL *h, size_t (*f)(char *, size_t, size_t, void *)) { return CONVEYOR_CURL_SETOPT(h, CURLOPT_HEADERFUNCTION, f); }
static inline CURLcode conveyor_curl_setopt_off_t(CURL *h, CURLoption o, curl_off_t v) { return CONVEYOR_CURL_SETOPT(h, o, v); }
static inline CURLcode conveyor_curl_getinfo_long(CURL *h, CURLINFO i, long *v) {
    const conveyor_curl_api *api = conveyor_curl();
    return api ? api->easy_getinfo(h, i, v) : CURLE_FAILED_INIT;
}

/* Progress callback, used to abort a transfer whose task was cancelled. */
static inline CURLcode conveyor_curl_setopt_xferinfo_function(CURL *h, int (*f)(void *, curl_off_t, curl_off_t, curl_off_t, curl_off_t)) { return CONVEYOR_CURL_SETOPT(h, CURLOPT_XFERINFOFUNCTION, f); }

/* Macros that Swift does not import reliably. */
static inline long conveyor_curl_global_default(void) { return CURL_GLOBAL_DEFAULT; }
static inline int conveyor_curl_error_size(void) { return CURL_ERROR_SIZE; }
static inline long conveyor_curl_http_version_2tls(void) { return CURL_HTTP_VERSION_2TLS; }
#endif
