/* The memory cgroup of one case (see case_cgroup.h). */
#include "case_cgroup.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int mt_pressure_cgroup(const struct mt_env *env, const char *name, uint64_t max,
		       int64_t swap_max, json_t *obtained, json_t *handoff,
		       struct mt_err *err)
{
	struct mt_cgroup cg;
	int ret;

	ret = mt_cgroup_create(env->journal, env->caps, name, &cg, err);
	if (ret < 0)
		return ret;
	ret = mt_cgroup_set_limits(env->journal, &cg, max, 0, swap_max, err);
	if (ret < 0)
		return ret;
	json_object_set_new(handoff, "cgroup", json_string(cg.path));
	json_object_set_new(handoff, "cgroup_version",
			    json_integer(cg.version));
	json_object_set_new(obtained, "cgroup_version",
			    json_integer(cg.version));
	json_object_set_new(obtained, "limit_bytes",
			    json_integer((json_int_t)max));
	json_object_set_new(obtained, "swap_max_bytes",
			    json_integer((json_int_t)swap_max));
	return 0;
}

int mt_pressure_case_cgroup(const struct mt_case *c, struct mt_cgroup *cg,
			    struct mt_err *err)
{
	json_t *sys = c->handoff;
	const char *path = json_string_value(json_object_get(sys, "cgroup"));

	if (!path)
		return mt_err_set(err, -ENOENT, MT_ERR_RUNTIME,
				  "the case has "
				  "no memory cgroup (the parent did not "
				  "create one)");
	memset(cg, 0, sizeof(*cg));
	cg->version =
		(int)json_integer_value(json_object_get(sys, "cgroup_version"));
	snprintf(cg->path, sizeof(cg->path), "%s", path);
	return 0;
}
