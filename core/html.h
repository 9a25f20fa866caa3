/* Text from files others wrote on its way into an HTML page: the
 * characters HTML gives a meaning (< > & " ') as entities, control
 * characters (which HTML forbids; a C0 one, DEL, except tab and newline) as
 * U+FFFD. Safe in element content and in quoted attribute values. */
#ifndef MT_HTML_H
#define MT_HTML_H

#include <stdio.h>

/* Writes s (NULL: nothing) to f, escaped as above. */
void mt_html_escape(FILE *f, const char *s);

#endif
