/* digest.c: the few cryptographic primitives larderd needs. */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "digest.h"

/*
 * Returns SHA-256 from the default provider, looked up once: every
 * event appended to the log is hashed, and looking the algorithm up
 * again for each costs about as much as hashing a small event.
 */
static EVP_MD *
digest_md(void)
{
	static EVP_MD *md;

	if (md == NULL)
		md = EVP_MD_fetch(NULL, "SHA256", NULL);
	return md;
}

/* Hashes the concatenation of two byte strings (the second may be empty). */
int
digest_sha256(const void *a, size_t alen, const void *b, size_t blen,
    unsigned char *out)
{
	EVP_MD_CTX *ctx;
	EVP_MD *md;
	int ok;

	if ((md = digest_md()) == NULL || (ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestInit_ex(ctx, md, NULL) &&
	    EVP_DigestUpdate(ctx, a, alen) &&
	    (blen == 0 || EVP_DigestUpdate(ctx, b, blen)) &&
	    EVP_DigestFinal_ex(ctx, out, NULL);
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

/* Fills buf with bytes from the system's secure random source. */
int
digest_random(unsigned char *buf, size_t len)
{
	return RAND_bytes(buf, (int)len) == 1 ? 0 : -1;
}

/* Compares two digests in time that does not depend on their contents. */
int
digest_equal(const unsigned char *a, const unsigned char *b)
{
	return CRYPTO_memcmp(a, b, DIGEST_LEN) == 0;
}

/* Writes len bytes as lower-case hex into out (2 * len + 1 bytes). */
char *
digest_hex(const unsigned char *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * len] = '\0';
	return out;
}

static int
digest_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Reads exactly len bytes of lower-case hex; -1 on any other input. */
int
digest_unhex(const char *in, unsigned char *out, size_t len)
{
	size_t i;
	int hi, lo;

	if (strlen(in) != 2 * len)
		return -1;
	for (i = 0; i < len; i++) {
		hi = digest_nibble(in[2 * i]);
		lo = digest_nibble(in[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}
