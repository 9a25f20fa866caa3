/* Facts: see facts.h. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../core/json_safe.h"
#include "../core/units.h"
#include "facts.h"

int mt_fact_add_record(json_t *derived, const char *id, json_t *rec,
		       double scale, const char *unit, const char *what)
{
	json_t *nv = json_object_get(rec, "n");
	int n = json_is_integer(nv) && json_integer_value(nv) > 0 &&
				json_integer_value(nv) < 1000000000 ?
			(int)json_integer_value(nv) :
			1;
	double lo = NAN, hi = NAN;

	if (!rec)
		return -ENOENT;
	if (n >= 2) {
		lo = mt_jnum(rec, "ci95_lo") * scale;
		hi = mt_jnum(rec, "ci95_hi") * scale;
	}
	return mt_fact_add(derived, id, mt_jnum(rec, "value") * scale, lo, hi,
			   unit ? unit :
				  json_string_value(json_object_get(rec,
								    "unit")),
			   n, what);
}

int mt_headline_set_record(json_t *derived, const char *id, json_t *rec,
			   double scale, const char *unit, const char *what)
{
	json_t *tmp = json_object();
	int ret;

	if (!tmp)
		return -ENOMEM;
	ret = mt_fact_add_record(tmp, id, rec, scale, unit, what);
	if (!ret &&
	    json_object_set(derived, "headline",
			    json_array_get(json_object_get(tmp, "facts"), 0)) <
		    0)
		ret = -ENOMEM;
	json_decref(tmp);
	return ret;
}

int mt_fact_add(json_t *derived, const char *id, double value, double lo,
		double hi, const char *unit, int n, const char *what)
{
	json_t *arr, *o;
	const char *dot;

	if (!json_is_object(derived) || !id || !(dot = strchr(id, '.')) ||
	    dot == id || !isfinite(value))
		return -EINVAL;
	arr = json_object_get(derived, "facts");
	if (!arr) {
		arr = json_array();
		if (!arr || json_object_set_new(derived, "facts", arr) < 0)
			return -ENOMEM;
	}
	o = json_pack("{s:s, s:s#, s:f, s:s, s:i, s:s}", "id", id, "bench", id,
		      (int)(dot - id), "value", value, "unit", unit ? unit : "",
		      "n", n, "what", what ? what : "");
	if (!o)
		return -ENOMEM;
	if (isfinite(lo) && isfinite(hi)) {
		json_object_set_new(o, "lo", json_real(lo < hi ? lo : hi));
		json_object_set_new(o, "hi", json_real(lo < hi ? hi : lo));
	}
	return json_array_append_new(arr, o) < 0 ? -ENOMEM : 0;
}

static void str(json_t *o, const char *key, char *buf, size_t len)
{
	const char *s = json_string_value(json_object_get(o, key));

	snprintf(buf, len, "%s", s ? s : "");
}

bool mt_fact_from_json(json_t *o, struct mt_fact *f)
{
	const char *id = json_string_value(json_object_get(o, "id"));

	memset(f, 0, sizeof(*f));
	if (!id || !id[0] || strlen(id) >= sizeof(f->id))
		return false;
	snprintf(f->id, sizeof(f->id), "%s", id);
	f->value = mt_jnum(o, "value");
	if (!isfinite(f->value))
		return false;
	f->lo = mt_jnum(o, "lo");
	f->hi = mt_jnum(o, "hi");
	if (!isfinite(f->lo) || !isfinite(f->hi) || f->lo > f->hi)
		f->lo = f->hi = NAN;
	str(o, "bench", f->bench, sizeof(f->bench));
	str(o, "unit", f->unit, sizeof(f->unit));
	str(o, "what", f->what, sizeof(f->what));
	f->n = json_is_integer(json_object_get(o, "n")) ?
		       (int)json_integer_value(json_object_get(o, "n")) :
		       0;
	return true;
}

bool mt_fact_get(json_t *analysis, const char *id, struct mt_fact *f)
{
	json_t *o;
	size_t i;

	json_array_foreach(json_object_get(analysis, "facts"), i, o) {
		const char *fid = json_string_value(json_object_get(o, "id"));

		if (fid && strcmp(fid, id) == 0)
			return mt_fact_from_json(o, f);
	}
	return false;
}

/* v to four significant digits as %.4g writes it where that has no
 * exponent, else whole or in plain decimals (16380, 449400000, 0.00001234):
 * no exponent and no thousands commas, which would read as the interval's
 * separator. */
static const char *fact_num(double v, char *buf, size_t len)
{
	char grouped[64];
	size_t o = 0;

	if (!isfinite(v) || v == 0 || (fabs(v) >= 1e-4 && fabs(v) < 1e4)) {
		snprintf(buf, len, "%.4g", v);
		return buf;
	}
	mt_format_num(v, 4, grouped, sizeof(grouped));
	for (const char *p = grouped; *p && o + 1 < len; p++)
		if (*p != ',')
			buf[o++] = *p;
	if (len)
		buf[o] = '\0';
	return buf;
}

const char *mt_fact_format(const struct mt_fact *f, char *buf, size_t len)
{
	char a[64], b[64];
	int w = snprintf(buf, len, "%s", fact_num(f->value, a, sizeof(a)));

	if (w < 0 || (size_t)w >= len)
		return buf;
	if (isfinite(f->lo) && isfinite(f->hi))
		w += snprintf(buf + w, len - w, " [%s, %s]",
			      fact_num(f->lo, a, sizeof(a)),
			      fact_num(f->hi, b, sizeof(b)));
	if ((size_t)w < len && f->unit[0])
		w += snprintf(buf + w, len - w, " %s", f->unit);
	if ((size_t)w < len && f->n > 0)
		snprintf(buf + w, len - w, " (n=%d)", f->n);
	return buf;
}

const char *mt_fact_format_human(const struct mt_fact *f, char *buf, size_t len)
{
	size_t w;

	mt_format_interval(f->value, f->lo, f->hi, f->unit, buf, len);
	w = strlen(buf);
	if (f->n > 0 && w < len)
		snprintf(buf + w, len - w, ", n=%d", f->n);
	return buf;
}
