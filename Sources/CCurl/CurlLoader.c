#include "CCurl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

/* The shared object's name as the linker would have recorded it (its soname). */
static const char library_name[] = "libcurl.so.4";

static conveyor_curl_api api;
static const conveyor_curl_api *loaded;
static char load_error[512];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static int find(void *library, void **slot, const char *name) {
    *slot = dlsym(library, name);
    if (*slot == NULL) {
        snprintf(load_error, sizeof load_error, "%s has no function %s", library_name, name);
        return 0;
    }
    return 1;
}

static void load(void) {
    /* Lazily bound: the functions its dependencies call are resolved on first use, not the
     * thousands (Kerberos, LDAP, GnuTLS, GMP) a request never calls (about 1,850 of 6,600 symbol
     * lookups at load). */
    void *library = dlopen(library_name, RTLD_LAZY | RTLD_LOCAL);
    if (library == NULL) {
        const char *reason = dlerror();
        snprintf(load_error, sizeof load_error, "%s", reason ? reason : "dlopen failed");
        return;
    }
    if (!find(library, (void **)&api.global_init, "curl_global_init")
        || !find(library, (void **)&api.easy_init, "curl_easy_init")
        || !find(library, (void **)&api.easy_cleanup, "curl_easy_cleanup")
        || !find(library, (void **)&api.easy_reset, "curl_easy_reset")
        || !find(library, (void **)&api.easy_perform, "curl_easy_perform")
        || !find(library, (void **)&api.easy_strerror, "curl_easy_strerror")
        || !find(library, (void **)&api.easy_setopt, "curl_easy_setopt")
        || !find(library, (void **)&api.easy_getinfo, "curl_easy_getinfo")
        || !find(library, (void **)&api.slist_append, "curl_slist_append")
        || !find(library, (void **)&api.slist_free_all, "curl_slist_free_all")) {
        /* The library stays loaded: its functions may be half found, none is used. */
        return;
    }
    loaded = &api;
}

const conveyor_curl_api *conveyor_curl(void) {
    pthread_once(&once, load);
    return loaded;
}

const char *conveyor_curl_load_error(void) {
    pthread_once(&once, load);
    return load_error;
}
