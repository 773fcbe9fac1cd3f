/* token.h: members' secret tokens, of which only a hash is kept. */
#ifndef LARDER_TOKEN_H
#define LARDER_TOKEN_H

#include "digest.h"

#define TOKEN_PREFIX "ldr_"
#define TOKEN_BYTES  32 /* 256 random bits */
#define TOKEN_LEN    (sizeof TOKEN_PREFIX - 1 + 2 * TOKEN_BYTES)

int token_new(char *, unsigned char *);
int token_hash(const char *, unsigned char *);

#endif
