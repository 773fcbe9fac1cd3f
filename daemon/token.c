/* token.c: making new member tokens and hashing presented ones. */
#include <string.h>

#include "token.h"

/*
 * Makes a new token (TOKEN_LEN + 1 bytes) and its hash. The token is shown
 * to its member once; only the hash is stored.
 */
int
token_new(char *token, unsigned char *hash)
{
	unsigned char raw[TOKEN_BYTES];

	if (digest_random(raw, sizeof raw) != 0)
		return -1;
	memcpy(token, TOKEN_PREFIX, sizeof TOKEN_PREFIX - 1);
	digest_hex(raw, sizeof raw, token + sizeof TOKEN_PREFIX - 1);
	explicit_bzero(raw, sizeof raw);
	return token_hash(token, hash);
}

/* Hashes a presented token for lookup. */
int
token_hash(const char *token, unsigned char *hash)
{
	return digest_sha256(token, strlen(token), NULL, 0, hash);
}
