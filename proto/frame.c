/* frame.c: cutting a byte stream into protocol lines. */
#include <stdlib.h>

#include <event2/buffer.h>

#include "proto.h"

/*
 * Takes the next complete line out of a buffer, without its newline.
 * Returns 1 with *line (malloc'd, NUL-terminated) and *len set, 0 when no
 * complete line has arrived yet, and -1 when the line already exceeds max
 * bytes: the peer has broken framing and the stream cannot be resumed.
 */
int
proto_frame_next(struct evbuffer *in, size_t max, char **line, size_t *len)
{
	struct evbuffer_ptr eol;
	size_t eol_len;
	char *buf;

	eol = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_LF);
	if (eol.pos == -1)
		return evbuffer_get_length(in) >= max ? -1 : 0;
	if ((size_t)eol.pos + eol_len > max)
		return -1;
	buf = malloc((size_t)eol.pos + 1);
	if (buf == NULL)
		return -1;
	if (evbuffer_remove(in, buf, (size_t)eol.pos) != eol.pos) {
		free(buf);
		return -1;
	}
	evbuffer_drain(in, eol_len);
	buf[eol.pos] = '\0';
	*line = buf;
	*len = (size_t)eol.pos;
	return 1;
}
