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
#include <jansson.h>

#include "../../core/sanitize.h"

static void test_string(void **state)
{
	char buf[128];

	(void)state;
	/* ESC, BEL, CR, backspace, DEL and the C1 CSI (U+009B) are shown;
	 * tab, newline and other UTF-8 pass. */
	assert_string_equal(mt_sanitize(buf, sizeof(buf),
					"a\x1b[2Jb\a\r\b\x7f"),
			    "a\\u001b[2Jb\\u0007\\u000d\\u0008\\u007f");
	assert_string_equal(mt_sanitize(buf, sizeof(buf),
					"x\xc2\x9b"
					"31m"),
			    "x\\u009b31m");
	assert_string_equal(mt_sanitize(buf, sizeof(buf),
					"t\tn\n caf\xc3\xa9 20\xc2\xb0"
					"C"),
			    "t\tn\n caf\xc3\xa9 20\xc2\xb0"
			    "C");
	assert_string_equal(mt_sanitize(buf, sizeof(buf), ""), "");
	/* Cut short, never inside an escape, always terminated. */
	assert_string_equal(mt_sanitize(buf, 8,
					"ab\x1b"
					"cd"),
			    "ab");
	assert_string_equal(mt_sanitize(buf, 9,
					"ab\x1b"
					"cd"),
			    "ab\\u001b");
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
	fputs("\x9b"
	      "b\xc2",
	      s);
	fflush(s);
	fputs("\xb0"
	      "c\n",
	      s);
	assert_int_equal(fclose(s), 0);
	assert_int_equal(fclose(mem), 0);
	assert_string_equal(text, "host \\u001b]0;pwned\\u0007 ok\n"
				  "a\\u009bb\xc2\xb0"
				  "c\n");
	free(text);
}

/* JSON through the stream stays JSON with the same value: jansson writes
 * DEL and C1 controls raw inside strings, and \u00XX is JSON's escape. */
static void test_json_stays_json(void **state)
{
	json_t *in = json_pack("{s:s}", "host",
			       "a\x7f"
			       "b\xc2\x9b"
			       "c\x1b"),
	       *out;
	char *text = NULL;
	size_t len = 0;
	FILE *mem, *s;

	(void)state;
	assert_non_null(in);
	mem = open_memstream(&text, &len);
	assert_non_null(mem);
	s = mt_sanitizing_stream(mem);
	assert_non_null(s);
	assert_int_equal(json_dumpf(in, s, JSON_COMPACT), 0);
	assert_int_equal(fclose(s), 0);
	assert_int_equal(fclose(mem), 0);
	assert_null(strchr(text, 0x7f));
	assert_null(strstr(text, "\xc2\x9b"));
	out = json_loads(text, 0, NULL);
	assert_non_null(out);
	assert_true(json_equal(in, out));
	json_decref(in);
	json_decref(out);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_string),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_json_stays_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
