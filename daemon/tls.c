/*
 * tls.c: TLS on the TCP listener, through libevent's OpenSSL
 * bufferevents. The certificate chain and key come from [daemon]
 * tls_cert and tls_key; the Unix socket never uses TLS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "larderd.h"
#include "log.h"

/* The first error OpenSSL queued, as text, or "unknown". */
static const char *
tls_error(void)
{
	static char buf[256];
	unsigned long e = ERR_get_error();

	if (e == 0)
		return "unknown error";
	ERR_error_string_n(e, buf, sizeof buf);
	ERR_clear_error();
	return buf;
}

/*
 * Makes the server context when the config names a certificate: TLS 1.2
 * or later, the chain and key loaded and checked against each other.
 */
int
tls_init(struct larderd *d, char **cause)
{
	const struct config *c = d->conf;
	SSL_CTX *ctx;

	if (c->tls_cert == NULL)
		return 0;
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL)
		return asprintf(cause, "TLS: %s", tls_error()), -1;
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_use_certificate_chain_file(ctx, c->tls_cert) != 1) {
		asprintf(cause, "TLS: tls_cert %s: %s", c->tls_cert,
		    tls_error());
		SSL_CTX_free(ctx);
		return -1;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, c->tls_key, SSL_FILETYPE_PEM) !=
	        1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		asprintf(cause, "TLS: tls_key %s: %s", c->tls_key, tls_error());
		SSL_CTX_free(ctx);
		return -1;
	}
	d->tls = ctx;
	log_info("TLS on the TCP listener, certificate %s", c->tls_cert);
	return 0;
}

void
tls_free(struct larderd *d)
{
	SSL_CTX_free(d->tls);
	d->tls = NULL;
}

/*
 * A bufferevent for a new TCP connection that speaks TLS as the server;
 * freeing it closes the socket and frees the TLS state.
 */
struct bufferevent *
tls_bufferevent(struct larderd *d, int fd)
{
	struct bufferevent *bev;
	SSL *ssl;

	if ((ssl = SSL_new(d->tls)) == NULL) {
		log_warnx("TLS: %s", tls_error());
		return NULL;
	}
	bev = bufferevent_openssl_socket_new(d->base, fd, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		SSL_free(ssl);
		return NULL;
	}
	/* A client that drops the connection without close_notify is not
	 * an error worth reporting; its session simply ends. */
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return bev;
}
