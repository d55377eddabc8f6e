#ifndef CONVEYOR_COPENSSL_SHIM_H
#define CONVEYOR_COPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/err.h>
#include <openssl/bio.h>
#include <openssl/pkcs12.h>
#include <openssl/sha.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/rand.h>

/* Macros and callbacks that Swift does not import reliably. */
static inline int conveyor_evp_pkey_is_rsa(const EVP_PKEY *key) { return EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA; }

/* A password callback that refuses, so that an encrypted key fails instead of prompting on a terminal. */
static inline int conveyor_no_password(char *buf, int size, int rwflag, void *u) { (void)buf; (void)size; (void)rwflag; (void)u; return 0; }

/* Reads a PEM private key (PKCS#8 or PKCS#1) from memory; NULL on failure. */
static inline EVP_PKEY *conveyor_read_private_key_pem(const char *pem, int length) {
    BIO *bio = BIO_new_mem_buf(pem, length);
    if (bio == NULL) { return NULL; }
    EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, conveyor_no_password, NULL);
    BIO_free(bio);
    return key;
}
/* Outcome of conveyor_read_pkcs12. */
enum { CONVEYOR_P12_OK = 0, CONVEYOR_P12_NOT_PKCS12 = 1, CONVEYOR_P12_BAD_PASSWORD = 2, CONVEYOR_P12_UNREADABLE = 3, CONVEYOR_P12_NO_KEY = 4 };

/* Reads the private key of a DER PKCS#12 bundle with `password` (may be empty); *status tells why on NULL. */
static inline EVP_PKEY *conveyor_read_pkcs12(const unsigned char *der, int length, const char *password, int *status) {
    const unsigned char *cursor = der;
    PKCS12 *bundle = d2i_PKCS12(NULL, &cursor, length);
    if (bundle == NULL) { *status = CONVEYOR_P12_NOT_PKCS12; return NULL; }
    if (PKCS12_mac_present(bundle) && !PKCS12_verify_mac(bundle, password, -1)) {
        if (!(password[0] == 0 && PKCS12_verify_mac(bundle, NULL, 0))) {
            PKCS12_free(bundle);
            *status = CONVEYOR_P12_BAD_PASSWORD;
            return NULL;
        }
    }
    EVP_PKEY *key = NULL;
    X509 *certificate = NULL;
    STACK_OF(X509) *chain = NULL;
    int parsed = PKCS12_parse(bundle, password, &key, &certificate, &chain);
    PKCS12_free(bundle);
    if (certificate != NULL) { X509_free(certificate); }
    if (chain != NULL) { sk_X509_pop_free(chain, X509_free); }
    if (!parsed) { *status = CONVEYOR_P12_UNREADABLE; return NULL; }
    if (key == NULL) { *status = CONVEYOR_P12_NO_KEY; return NULL; }
    *status = CONVEYOR_P12_OK;
    return key;
}

/* Fills `buffer` with cryptographically strong random bytes; 1 on success. */
static inline int conveyor_random_bytes(unsigned char *buffer, int length) { return RAND_bytes(buffer, length); }
#endif
