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
#endif
