/* Unit tests of core/sanitize.c: control characters from files others
 * wrote reach no terminal raw (issue 12 item 6). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../core/sanitize.h"

static void test_string(void **state)
{
	char buf[128];

	(void)state;
	/* ESC, BEL, CR, backspace, DEL and the C1 CSI (U+009B) are shown;
	 * tab, newline and other UTF-8 pass. */
	assert_string_equal(mt_sanitize(buf, sizeof(buf),
					"a\x1b[2Jb\a\r\b\x7f"),
			    "a\\x1b[2Jb\\x07\\x0d\\x08\\x7f");
	assert_string_equal(mt_sanitize(buf, sizeof(buf), "x\xc2\x9b" "31m"),
			    "x\\xc2\\x9b31m");
	assert_string_equal(mt_sanitize(buf, sizeof(buf),
					"t\tn\n caf\xc3\xa9 20\xc2\xb0" "C"),
			    "t\tn\n caf\xc3\xa9 20\xc2\xb0" "C");
	assert_string_equal(mt_sanitize(buf, sizeof(buf), ""), "");
	/* Cut short, never inside an escape, always terminated. */
	assert_string_equal(mt_sanitize(buf, 6, "ab\x1b" "cd"), "ab");
	assert_string_equal(mt_sanitize(buf, 7, "ab\x1b" "cd"), "ab\\x1b");
	assert_string_equal(mt_sanitize(buf, 1, "abc"), "");
}

static void test_stream(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem, *s;

	(void)state;
	mem = open_memstream(&text, &len);
	assert_non_null(mem);
	s = mt_sanitizing_stream(mem);
	assert_non_null(s);
	fprintf(s, "host \x1b]0;pwned\x07 ok\n");
	/* A C1 control split across two writes is still caught, and a
	 * 0xc2 that starts an ordinary character still passes. */
	fputs("a\xc2", s);
	fflush(s);
	fputs("\x9b" "b\xc2", s);
	fflush(s);
	fputs("\xb0" "c\n", s);
	assert_int_equal(fclose(s), 0);
	assert_int_equal(fclose(mem), 0);
	assert_string_equal(text, "host \\x1b]0;pwned\\x07 ok\n"
				  "a\\xc2\\x9bb\xc2\xb0" "c\n");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_string),
		cmocka_unit_test(test_stream),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
