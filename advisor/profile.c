/* Profiles: what the operator cares about, in configs/profiles/NAME.ini,
 * parsed with core/config.h against one schema so that an unknown key or a
 * bad value names the file, the line and the accepted form. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/config.h"
#include "advisor.h"

static const char *const goals[] = { "latency", "throughput", "balanced",
				     "interactive", NULL };
static const char *const page_cache_modes[] = { "keep", "normal", "expendable",
						NULL };

/* The keys of [profile], rows of profile_schema. */
enum prof_param {
	PROF_DESCRIPTION,
	PROF_GOAL,
	PROF_PAGE_CACHE,
	PROF_KEEP,
	PROF_SACRIFICE,
	PROF_LATENCY_CRITICAL,
	PROF_HUGETLB_USER,
	PROF_HUGETLB_SIZE,
	PROF_HUGETLB_PAGE,
	PROF_SERVICES,
	PROF_NPARAMS
};

static const struct mt_param profile_schema[] = {
	[PROF_DESCRIPTION] = { .key = "description",
			       .type = MT_P_STRING,
			       .def = "",
			       .help = "one line saying whom the profile suits" },
	[PROF_GOAL] = { .key = "goal",
			.type = MT_P_WORDS,
			.def = "balanced",
			.help = "what matters most: latency, throughput, balanced or "
				"interactive",
			.choices = goals },
	[PROF_PAGE_CACHE] = { .key = "page_cache",
			      .type = MT_P_WORDS,
			      .def = "normal",
			      .help = "keep: the page cache is the workload's working set; "
				      "normal; expendable: anonymous memory matters more",
			      .choices = page_cache_modes },
	[PROF_KEEP] = { .key = "keep",
			.type = MT_P_WORDS,
			.def = "",
			.help = "process names (globs) the OOM killer should spare" },
	[PROF_SACRIFICE] = { .key = "sacrifice",
			     .type = MT_P_WORDS,
			     .def = "",
			     .help = "process names (globs) the OOM killer should take first" },
	[PROF_LATENCY_CRITICAL] = { .key = "latency_critical",
				    .type = MT_P_WORDS,
				    .def = "",
				    .help = "processes whose major faults hurt (mlock candidates)" },
	[PROF_HUGETLB_USER] = { .key = "hugetlb_user",
				.type = MT_P_STRING,
				.def = "",
				.help = "process that maps hugetlb pages (shared_buffers, SGA)" },
	[PROF_HUGETLB_SIZE] = { .key = "hugetlb_size",
				.type = MT_P_SIZE,
				.def = "0",
				.help = "bytes of hugetlb pages it needs (0: none)" },
	[PROF_HUGETLB_PAGE] = { .key = "hugetlb_page",
				.type = MT_P_SIZE,
				.def = "2M",
				.help = "page size of that pool: 2M or 1G" },
	[PROF_SERVICES] = { .key = "services",
			    .type = MT_P_WORDS,
			    .def = "",
			    .help = "applications the host runs, name or name:version "
				    "(postgresql, mysql, redis, mongodb:8.0, elasticsearch, "
				    "oracle, kubelet): advised on even when not running" },
	[PROF_NPARAMS] = MT_PARAMS_END,
};

/* Copies a WORDS value into a NULL-free malloc'ed array. */
static int copy_words(const struct mt_params *p, enum prof_param key,
		      char ***out, size_t *n)
{
	size_t k;
	char *const *w = mt_p_words(p, key, &k);

	*out = NULL;
	*n = 0;
	if (k == 0)
		return 0;
	*out = calloc(k, sizeof(char *));
	if (!*out)
		return -ENOMEM;
	for (size_t i = 0; i < k; i++) {
		(*out)[i] = strdup(w[i]);
		if (!(*out)[i])
			return -ENOMEM;
		(*n)++;
	}
	return 0;
}

/* Copies the one word of a WORDS value into buf; an empty value or a list
 * is an MT_ERR_INPUT error naming file:line. Returns 0 or -EINVAL. */
static int one_word(const struct mt_params *params, enum prof_param key,
		    char *buf, size_t len, struct mt_err *err)
{
	const struct mt_pvalue *v = mt_p_get(params, key);
	size_t n;
	char *const *w = mt_p_words(params, key, &n);

	if (n != 1)
		return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
				  "%s:%d: [profile] key '%s': one word "
				  "expected, got '%s'",
				  v->file, v->line, v->param->key, v->text);
	snprintf(buf, len, "%s", w[0]);
	return 0;
}

/* Resolves the [profile] section of cfg into p. */
static int profile_from_cfg(const struct mt_cfg *cfg, const char *name,
			    struct mt_profile *p, struct mt_err *err)
{
	struct mt_params *params = NULL;
	int rc;

	for (size_t i = 0; i < cfg->n_sections; i++)
		if (strcmp(cfg->sections[i], "profile") != 0)
			return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
					  "%s:%d: unknown section [%s]: a "
					  "profile has one section, [profile]",
					  cfg->section_files[i],
					  cfg->section_lines[i],
					  cfg->sections[i]);
	rc = mt_params_resolve(cfg, "profile", profile_schema, &params, err);
	if (rc < 0)
		return rc;
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->description, sizeof(p->description), "%s",
		 mt_p_string(params, PROF_DESCRIPTION));
	rc = one_word(params, PROF_GOAL, p->goal, sizeof(p->goal), err);
	if (rc == 0)
		rc = one_word(params, PROF_PAGE_CACHE, p->page_cache,
			      sizeof(p->page_cache), err);
	if (rc < 0)
		goto free_params;
	snprintf(p->hugetlb_user, sizeof(p->hugetlb_user), "%s",
		 mt_p_string(params, PROF_HUGETLB_USER));
	p->hugetlb_bytes = mt_p_size(params, PROF_HUGETLB_SIZE);
	p->hugetlb_page_bytes = mt_p_size(params, PROF_HUGETLB_PAGE);
	if (p->hugetlb_page_bytes != (2u << 20) &&
	    p->hugetlb_page_bytes != (1u << 30)) {
		const struct mt_pvalue *v = mt_p_get(params, PROF_HUGETLB_PAGE);

		rc = mt_err_set(err, -EINVAL, MT_ERR_INPUT,
				"%s:%d: [profile] key 'hugetlb_page': bad "
				"value '%s': expected 2M or 1G",
				v->file, v->line, v->text);
		goto free_params;
	}
	{
		size_t n;
		char *const *w = mt_p_words(params, PROF_SERVICES, &n);
		char why[200];

		for (size_t i = 0; i < n; i++) {
			const struct mt_pvalue *v = mt_p_get(params,
							     PROF_SERVICES);

			if (mt_app_service_valid(w[i], why, sizeof(why)))
				continue;
			rc = mt_err_set(err, -EINVAL, MT_ERR_INPUT,
					"%s:%d: [profile] key 'services': %s",
					v->file, v->line, why);
			goto free_params;
		}
	}
	if ((rc = copy_words(params, PROF_KEEP, &p->keep, &p->n_keep)) < 0 ||
	    (rc = copy_words(params, PROF_SERVICES, &p->services,
			     &p->n_services)) < 0 ||
	    (rc = copy_words(params, PROF_SACRIFICE, &p->sacrifice,
			     &p->n_sacrifice)) < 0 ||
	    (rc = copy_words(params, PROF_LATENCY_CRITICAL,
			     &p->latency_critical, &p->n_latency_critical)) <
		    0) {
		mt_err_set(err, rc, MT_ERR_RUNTIME, "profile: out of memory");
		mt_profile_free(p);
	}
free_params:
	mt_params_free(params);
	return rc;
}

int mt_profile_load_string(const char *name, const char *text,
			   struct mt_profile *p, struct mt_err *err)
{
	struct mt_cfg cfg;
	int rc;

	mt_cfg_init(&cfg);
	rc = mt_cfg_load_string(&cfg, name, text, err);
	if (rc == 0)
		rc = profile_from_cfg(&cfg, name, p, err);
	mt_cfg_free(&cfg);
	return rc;
}

int mt_profile_load(const char *name, const char *configs_dir,
		    struct mt_profile *p, struct mt_err *err)
{
	char path[4096], base[64];
	struct mt_cfg cfg;
	const char *slash;
	int rc;

	if (strchr(name, '/') || strstr(name, ".ini")) {
		snprintf(path, sizeof(path), "%s", name);
	} else {
		for (const char *c = name; *c; c++)
			if (!(*c >= 'a' && *c <= 'z') && *c != '-' && *c != '_')
				return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
						  "profile '%s': a name is "
						  "lowercase letters, - and "
						  "_, or give a path to an "
						  ".ini file",
						  name);
		snprintf(path, sizeof(path), "%s/profiles/%s.ini", configs_dir,
			 name);
	}
	mt_cfg_init(&cfg);
	rc = mt_cfg_load(&cfg, path, err);
	if (rc < 0) {
		if (rc == -ENOENT && !strchr(name, '/'))
			mt_err_prefix(err,
				      "unknown profile '%s' (shipped: "
				      "database, latency, throughput, batch, "
				      "desktop)",
				      name);
		goto free_cfg;
	}
	slash = strrchr(name, '/');
	snprintf(base, sizeof(base), "%s", slash ? slash + 1 : name);
	if (strstr(base, ".ini"))
		*strstr(base, ".ini") = '\0';
	rc = profile_from_cfg(&cfg, base, p, err);
free_cfg:
	mt_cfg_free(&cfg);
	return rc;
}

/* Frees a malloc'ed array of n strings. */
static void free_words(char **w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(w[i]);
	free(w);
}

void mt_profile_free(struct mt_profile *p)
{
	free_words(p->keep, p->n_keep);
	free_words(p->sacrifice, p->n_sacrifice);
	free_words(p->latency_critical, p->n_latency_critical);
	free_words(p->services, p->n_services);
	p->keep = p->sacrifice = p->latency_critical = p->services = NULL;
	p->n_keep = p->n_sacrifice = p->n_latency_critical = 0;
	p->n_services = 0;
}
