/* Line numbers of a top-level array's elements (see jsonpos.h). */
#include "jsonpos.h"

#include <stdbool.h>
#include <string.h>

size_t mt_json_array_lines(const char *text, size_t len, const char *key,
			   int *lines, size_t max)
{
	size_t klen = strlen(key), count = 0;
	const char *last = NULL; /* last string at depth 1 */
	size_t last_len = 0;
	bool after_colon = false, in_target = false, want_elem = false;
	int depth = 0, line = 1;

	for (size_t i = 0; i < len; i++) {
		char c = text[i];

		if (c == '\n') {
			line++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r')
			continue;
		if (in_target && depth == 2 && want_elem && c != ']') {
			if (count < max)
				lines[count] = line;
			count++;
			want_elem = false;
		}
		if (c == '"') {
			size_t start = i + 1;

			for (i++; i < len && text[i] != '"'; i++) {
				if (text[i] == '\\')
					i++;
				else if (text[i] == '\n')
					line++;
			}
			if (depth == 1 && !after_colon) {
				last = text + start;
				last_len = i - start;
			}
			after_colon = false;
			continue;
		}
		if (c == ':' && depth == 1) {
			after_colon = true;
			continue;
		}
		if (c == '{' || c == '[') {
			if (depth == 1 && after_colon && c == '[' && last &&
			    last_len == klen && memcmp(last, key, klen) == 0) {
				in_target = true;
				want_elem = true;
			}
			depth++;
		} else if (c == '}' || c == ']') {
			depth--;
			if (in_target && depth == 1)
				return count;
		} else if (c == ',' && in_target && depth == 2) {
			want_elem = true;
		}
		if (depth == 1 && c != ':')
			after_colon = false;
		if (depth < 1 && c != '{')
			break;
	}
	return in_target ? count : 0;
}
