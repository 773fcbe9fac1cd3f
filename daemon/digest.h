/* digest.h: SHA-256, random bytes and hex, through libcrypto. */
#ifndef LARDER_DIGEST_H
#define LARDER_DIGEST_H

#include <stddef.h>

#define DIGEST_LEN 32

int digest_sha256(const void *, size_t, const void *, size_t, unsigned char *);
int digest_random(unsigned char *, size_t);
int digest_equal(const unsigned char *, const unsigned char *);
char *digest_hex(const unsigned char *, size_t, char *);
int digest_unhex(const char *, unsigned char *, size_t);

#endif
