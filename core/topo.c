/* Topology and CPU pinning through hwloc. This is the only file that includes
 * hwloc headers (DESIGN §1); everything else sees struct mt_topo as an opaque
 * handle. When MEMTUNE_FSROOT names a captured tree, hwloc reads that tree
 * (HWLOC_FSROOT) and the topology describes another machine, so binding is
 * refused. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <hwloc.h>

#include "fsroot.h"
#include "topo.h"

struct mt_topo {
	hwloc_topology_t topo;
	bool foreign;	/* loaded from MEMTUNE_FSROOT, not this host */
	char root[512]; /* the root it was loaded from */
};

/* Points hwloc's Linux backend at `root` through HWLOC_FSROOT for the
 * duration of one load (hwloc 2.x has no API for it), then puts the caller's
 * environment back exactly as it was. Returns hwloc_topology_load's result
 * with errno preserved. */
static int load_under_root(hwloc_topology_t topo, const char *root)
{
	char *saved = NULL;
	const char *old = getenv("HWLOC_FSROOT");
	int rc, saved_errno;

	if (old) {
		saved = strdup(old);
		if (!saved) {
			errno = ENOMEM;
			return -1;
		}
	}
	if (setenv("HWLOC_FSROOT", root, 1) != 0) {
		free(saved);
		return -1;
	}
	rc = hwloc_topology_load(topo);
	saved_errno = errno;
	if (saved)
		setenv("HWLOC_FSROOT", saved, 1);
	else
		unsetenv("HWLOC_FSROOT");
	free(saved);
	errno = saved_errno;
	return rc;
}

/* True if hwloc's Linux backend (sysfs) discovered the topology. */
static bool linux_backend_used(hwloc_topology_t topo)
{
	const char *b = hwloc_obj_get_info_by_name(hwloc_get_root_obj(topo),
						   "Backend");

	return b && strcmp(b, "Linux") == 0;
}

/* Loads the topology of this machine, or of the tree under MEMTUNE_FSROOT.
 * Returns 0 and a new handle in *out, or -errno with err set. */
int mt_topo_load(struct mt_topo **out, struct mt_err *err)
{
	const char *root = mt_fsroot();
	struct mt_topo *t;
	int rc;

	*out = NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "topology: out of memory");
	snprintf(t->root, sizeof(t->root), "%s", root);
	t->foreign = strcmp(root, "/") != 0;

	if (hwloc_topology_init(&t->topo) != 0) {
		rc = -(errno ? errno : ENOMEM);
		mt_err_set(err, rc, MT_ERR_RUNTIME,
			   "topology: cannot initialise hwloc: %s",
			   strerror(-rc));
		goto free_handle;
	}
	if (t->foreign) {
		/* The x86 backend would read this CPU's CPUID and describe
		 * the wrong machine. */
		hwloc_topology_set_components(
			t->topo, HWLOC_TOPOLOGY_COMPONENTS_FLAG_BLACKLIST,
			"x86");
		rc = load_under_root(t->topo, root);
	} else {
		rc = hwloc_topology_load(t->topo);
	}
	if (rc != 0) {
		rc = -(errno ? errno : EIO);
		mt_err_set(
			err, rc, t->foreign ? MT_ERR_INPUT : MT_ERR_RUNTIME,
			"topology: cannot load %s%s: %s (%s)",
			t->foreign ? "the tree under " : "this machine",
			t->foreign ? root : "", strerror(-rc),
			t->foreign ?
				"check that MEMTUNE_FSROOT holds a captured sys/ and proc/" :
				"is /sys mounted?");
		goto destroy_topology;
	}
	/* Without a captured sys/devices/system/cpu, hwloc falls back to a
	 * flat topology sized from this machine; that is no description of
	 * the tree, so refuse it. */
	if (t->foreign && !linux_backend_used(t->topo)) {
		rc = mt_err_set(
			err, -ENOENT, MT_ERR_INPUT,
			"topology: cannot load the tree under %s: it has no usable sys/devices/system/cpu (capture that directory too, or run without MEMTUNE_FSROOT)",
			root);
		goto destroy_topology;
	}
	*out = t;
	return 0;

destroy_topology:
	hwloc_topology_destroy(t->topo);
free_handle:
	free(t);
	return rc;
}

/* Releases the handle; NULL is allowed. */
void mt_topo_destroy(struct mt_topo *t)
{
	if (!t)
		return;
	hwloc_topology_destroy(t->topo);
	free(t);
}

/* Counts objects of one type; hwloc returns -1 for types spread over several
 * depths, which we report as 0. */
static int count_type(const struct mt_topo *t, hwloc_obj_type_t type)
{
	int n = hwloc_get_nbobjs_by_type(t->topo, type);

	return n < 0 ? 0 : n;
}

/* Number of processing units (logical CPUs). */
int mt_topo_npus(const struct mt_topo *t)
{
	return count_type(t, HWLOC_OBJ_PU);
}

/* Number of NUMA nodes hwloc sees (at least 1 on a loaded topology). */
int mt_topo_nnodes(const struct mt_topo *t)
{
	return count_type(t, HWLOC_OBJ_NUMANODE);
}

/* The OS index of the last PU, or 0 when there is none. */
int mt_topo_default_cpu(const struct mt_topo *t)
{
	int n = mt_topo_npus(t);
	hwloc_obj_t pu;

	if (n <= 0)
		return 0;
	pu = hwloc_get_obj_by_type(t->topo, HWLOC_OBJ_PU, (unsigned)n - 1);
	return pu ? (int)pu->os_index : 0;
}

/* Binds the whole process to the PU with OS index cpu, then reads the binding
 * back: a cpuset or cgroup may silently narrow it. Returns 0; -ENOTSUP when
 * the topology came from MEMTUNE_FSROOT; -EINVAL for an unknown CPU; -EIO when
 * the kernel reports another binding; or -errno from the kernel. */
int mt_topo_pin(struct mt_topo *t, int cpu, struct mt_err *err)
{
	hwloc_bitmap_t got;
	hwloc_obj_t pu = NULL;
	char have[256], want[64], list[256];
	int rc = 0;

	if (t->foreign)
		return mt_err_set(
			err, -ENOTSUP, MT_ERR_INPUT,
			"topology: cannot pin to cpu %d: the topology was loaded from MEMTUNE_FSROOT=%s, which describes another machine (unset MEMTUNE_FSROOT to measure this one)",
			cpu, t->root);
	if (cpu >= 0)
		pu = hwloc_get_pu_obj_by_os_index(t->topo, (unsigned)cpu);
	if (!pu) {
		hwloc_bitmap_list_snprintf(
			list, sizeof(list),
			hwloc_topology_get_topology_cpuset(t->topo));
		return mt_err_set(
			err, -EINVAL, MT_ERR_INPUT,
			"topology: cannot pin to cpu %d: no such cpu on this machine (it has cpus %s; pick one of them)",
			cpu, list);
	}
	if (hwloc_set_cpubind(t->topo, pu->cpuset, HWLOC_CPUBIND_PROCESS) !=
	    0) {
		rc = -(errno ? errno : EIO);
		return mt_err_set(
			err, rc, MT_ERR_RUNTIME,
			"topology: cannot pin to cpu %d: %s (a cpuset or cgroup may exclude it; see /proc/self/status Cpus_allowed_list)",
			cpu, strerror(-rc));
	}

	got = hwloc_bitmap_alloc();
	if (!got)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "topology: out of memory");
	if (hwloc_get_cpubind(t->topo, got, HWLOC_CPUBIND_PROCESS) != 0) {
		rc = -(errno ? errno : EIO);
		mt_err_set(
			err, rc, MT_ERR_RUNTIME,
			"topology: pinned to cpu %d but cannot read the binding back: %s",
			cpu, strerror(-rc));
		goto free_bitmap;
	}
	if (!hwloc_bitmap_isequal(got, pu->cpuset)) {
		hwloc_bitmap_list_snprintf(have, sizeof(have), got);
		hwloc_bitmap_list_snprintf(want, sizeof(want), pu->cpuset);
		rc = mt_err_set(
			err, -EIO, MT_ERR_RUNTIME,
			"topology: asked to pin to cpu %s but the kernel reports cpus %s (a cpuset or cgroup may override the binding)",
			want, have);
	}
free_bitmap:
	hwloc_bitmap_free(got);
	return rc;
}

/* Writes hwloc's XML export to path. Returns 0 or -errno with err set. */
int mt_topo_export_xml(struct mt_topo *t, const struct mt_outdir *dir,
		       const char *name, struct mt_err *err)
{
	char *xml = NULL;
	int len = 0, rc;

	/* hwloc's own file export opens the path with fopen and so would
	 * follow a planted link: export to memory, write it ourselves. */
	if (hwloc_topology_export_xmlbuffer(t->topo, &xml, &len, 0) != 0 ||
	    !xml || len <= 0)
		return mt_err_set(err, -(errno ? errno : EIO), MT_ERR_RUNTIME,
				  "topology: cannot export %s/%s: %s",
				  dir->path, name,
				  strerror(errno ? errno : EIO));
	/* len counts the terminating NUL. */
	rc = mt_outdir_replace(dir, "topology", name, xml, (size_t)len - 1,
			       0644, MT_FILE_NOSYNC, err);
	hwloc_free_xmlbuffer(t->topo, xml);
	return rc;
}

/* The data and unified cache types, outermost level last. */
static const hwloc_obj_type_t cache_types[] = {
	HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L2CACHE, HWLOC_OBJ_L3CACHE,
	HWLOC_OBJ_L4CACHE, HWLOC_OBJ_L5CACHE,
};

/* One kind of cache at one level: caches that differ in size or line
 * (hybrid CPUs) are listed separately. */
struct cache_kind {
	const char *type;
	uint64_t size;
	unsigned line;
	int count;
};

/* Appends one entry per distinct (type, size, line) cache of this hwloc
 * type to arr, with how many such caches there are. */
static void summarise_caches(const struct mt_topo *t, hwloc_obj_type_t type,
			     json_t *arr)
{
	struct cache_kind kinds[8];
	int n = count_type(t, type), nkinds = 0;

	for (int i = 0; i < n; i++) {
		hwloc_obj_t o = hwloc_get_obj_by_type(t->topo, type,
						      (unsigned)i);
		const struct hwloc_cache_attr_s *c;
		const char *kind;
		int k;

		if (!o || !o->attr)
			continue;
		c = &o->attr->cache;
		kind = c->type == HWLOC_OBJ_CACHE_UNIFIED ? "unified" : "data";
		for (k = 0; k < nkinds; k++)
			if (kinds[k].type == kind && kinds[k].size == c->size &&
			    kinds[k].line == c->linesize)
				break;
		if (k == nkinds) {
			if (nkinds == (int)(sizeof(kinds) / sizeof(*kinds)))
				continue;
			kinds[nkinds++] = (struct cache_kind){
				.type = kind,
				.size = c->size,
				.line = c->linesize,
			};
		}
		kinds[k].count++;
	}
	for (int k = 0; k < nkinds; k++) {
		hwloc_obj_t o = hwloc_get_obj_by_type(t->topo, type, 0);
		json_t *e = json_pack("{s:i, s:s, s:I, s:i, s:i}", "level",
				      (int)o->attr->cache.depth, "type",
				      kinds[k].type, "size_bytes",
				      (json_int_t)kinds[k].size, "line_bytes",
				      (int)kinds[k].line, "count",
				      kinds[k].count);

		if (e)
			json_array_append_new(arr, e);
	}
}

/* The summary object documented in topo.h, or NULL if out of memory. */
json_t *mt_topo_summary(const struct mt_topo *t)
{
	json_t *o, *caches, *mem;
	int nn = mt_topo_nnodes(t);

	caches = json_array();
	mem = json_array();
	if (!caches || !mem)
		goto free_arrays;
	for (size_t i = 0; i < sizeof(cache_types) / sizeof(*cache_types); i++)
		summarise_caches(t, cache_types[i], caches);
	for (int i = 0; i < nn; i++) {
		hwloc_obj_t n = hwloc_get_obj_by_type(t->topo,
						      HWLOC_OBJ_NUMANODE,
						      (unsigned)i);
		json_array_append_new(
			mem, json_integer(n && n->attr ?
						  (json_int_t)n->attr->numanode
							  .local_memory :
						  0));
	}
	o = json_pack("{s:i, s:i, s:i, s:i, s:o, s:o}", "packages",
		      count_type(t, HWLOC_OBJ_PACKAGE), "cores",
		      count_type(t, HWLOC_OBJ_CORE), "pus", mt_topo_npus(t),
		      "numa_nodes", nn, "caches", caches, "node_memory_bytes",
		      mem);
	return o; /* json_pack's "o" steals the arrays, even on failure */

free_arrays:
	json_decref(caches);
	json_decref(mem);
	return NULL;
}

/* Size in bytes of the first data or unified cache at level 1..5, 0 when the
 * machine has none or hwloc does not know it. */
uint64_t mt_topo_cache_size(const struct mt_topo *t, int level)
{
	hwloc_obj_t o;

	if (level < 1 ||
	    level > (int)(sizeof(cache_types) / sizeof(*cache_types)))
		return 0;
	o = hwloc_get_obj_by_type(t->topo, cache_types[level - 1], 0);
	return o && o->attr ? o->attr->cache.size : 0;
}
