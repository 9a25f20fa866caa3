/* The TLB geometry cpuid reports (cpuid_tlb.h). Field layouts: Intel SDM
 * vol. 2A, CPUID leaf 18H; AMD APM vol. 3, CPUID Fn8000_0005, Fn8000_0006
 * and Fn8000_0019 (as Linux's cpu_detect_tlb_amd reads them).
 */
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "cpuid_tlb.h"

bool mt_cpuid_native(uint32_t leaf, uint32_t subleaf, struct mt_cpuid_regs *r,
		     void *arg)
{
	(void)arg;
#if defined(__x86_64__) || defined(__i386__)
	__cpuid_count(leaf, subleaf, r->eax, r->ebx, r->ecx, r->edx);
	return true;
#else
	(void)leaf;
	(void)subleaf;
	memset(r, 0, sizeof(*r));
	return false;
#endif
}

/* What one decoder found. */
struct found {
	json_t *tlbs, *leaves;
	long l1_4k, l2_4k;
};

/* Appends one TLB; page is a bit set (1: 4k, 2: 2m, 4: 4m, 8: 1g); ways
 * 0 is fully associative, -1 unknown. Ignores TLBs without entries. */
static void add_tlb(struct found *f, int level, const char *type,
		    unsigned int page, long entries, long ways)
{
	static const char *const names[] = { "4k", "2m", "4m", "1g" };
	json_t *o, *ps;

	if (entries <= 0)
		return;
	ps = json_array();
	for (int i = 0; i < 4; i++)
		if (page & (1u << i))
			json_array_append_new(ps, json_string(names[i]));
	o = json_pack("{s:i, s:s, s:o, s:I}", "level", level, "type", type,
		      "page_sizes", ps, "entries", (json_int_t)entries);
	if (!o)
		return;
	if (ways >= 0)
		json_object_set_new(o, "ways", json_integer(ways));
	json_array_append_new(f->tlbs, o);
	if ((page & 1u) && (!strcmp(type, "data") || !strcmp(type, "unified") ||
			    !strcmp(type, "load"))) {
		long *slot = level == 1 ? &f->l1_4k :
			     level == 2 ? &f->l2_4k :
					  NULL;

		if (slot && entries > *slot)
			*slot = entries;
	}
}

/* Intel leaf 0x18: one subleaf per translation cache; EDX[4:0] its type
 * (0: no more), EDX[7:5] its level, EDX[8] fully associative, EBX[3:0]
 * the page sizes (4K, 2M, 4M, 1G), EBX[31:16] the ways, ECX the sets. */
static void intel_0x18(mt_cpuid_fn fn, void *arg, uint32_t max_leaf,
		       struct found *f)
{
	static const char *const types[] = { NULL,	"data", "instruction",
					     "unified", "load", "store" };
	struct mt_cpuid_regs r;
	uint32_t max_sub;

	if (max_leaf < 0x18 || !fn(0x18, 0, &r, arg))
		return;
	json_array_append_new(f->leaves, json_string("0x18"));
	max_sub = r.eax > 63 ? 63 : r.eax;
	for (uint32_t s = 0; s <= max_sub; s++) {
		unsigned int type, level;
		long ways, sets;

		if (s > 0 && !fn(0x18, s, &r, arg))
			break;
		type = r.edx & 0x1f;
		if (type == 0 || type >= sizeof(types) / sizeof(types[0]))
			continue;
		level = (r.edx >> 5) & 0x7;
		ways = (long)(r.ebx >> 16);
		sets = (long)r.ecx;
		add_tlb(f, (int)level, types[type], r.ebx & 0xf, ways * sets,
			(r.edx & (1u << 8)) ? 0 : ways);
	}
}

/* AMD's L2 associativity code (Fn8000_0006): ways, 0 fully, -1 reserved. */
static long amd_l2_ways(unsigned int code)
{
	static const long ways[16] = { -1, 1,  2,  3,  4,  6,  8,   -1,
				       16, -1, 32, 48, 64, 96, 128, 0 };

	return ways[code & 0xf];
}

/* An L1 field (Fn8000_0005): entries in bits 23:16 or 7:0, associativity
 * in the byte above (0xff: fully associative). */
static void amd_l1(struct found *f, uint32_t reg, unsigned int page)
{
	unsigned int da = reg >> 24, ia = (reg >> 8) & 0xff;

	add_tlb(f, 1, "data", page, (reg >> 16) & 0xff,
		da == 0xff ? 0 : (long)da);
	add_tlb(f, 1, "instruction", page, reg & 0xff,
		ia == 0xff ? 0 : (long)ia);
}

/* An L2-style field (Fn8000_0006, Fn8000_0019): data entries in bits
 * 27:16 with their associativity code in 31:28, instruction entries in
 * 11:0 with theirs in 15:12; a code of 0 means the TLB is off. */
static void amd_l2(struct found *f, int level, uint32_t reg, unsigned int page)
{
	if (reg >> 28)
		add_tlb(f, level, "data", page, (reg >> 16) & 0xfff,
			amd_l2_ways(reg >> 28));
	if ((reg >> 12) & 0xf)
		add_tlb(f, level, "instruction", page, reg & 0xfff,
			amd_l2_ways((reg >> 12) & 0xf));
}

/* AMD leaves 0x80000005 (L1: EAX 2M/4M, EBX 4K), 0x80000006 (L2: EAX
 * 2M/4M, EBX 4K) and 0x80000019 (EAX L1 1G, EBX L2 1G). */
static void amd_leaves(mt_cpuid_fn fn, void *arg, struct found *f)
{
	struct mt_cpuid_regs r;
	uint32_t ext;

	if (!fn(0x80000000, 0, &r, arg))
		return;
	ext = r.eax;
	if (ext >= 0x80000005 && fn(0x80000005, 0, &r, arg)) {
		json_array_append_new(f->leaves, json_string("0x80000005"));
		amd_l1(f, r.ebx, 1);
		amd_l1(f, r.eax, 2 | 4);
	}
	if (ext >= 0x80000006 && fn(0x80000006, 0, &r, arg)) {
		json_array_append_new(f->leaves, json_string("0x80000006"));
		amd_l2(f, 2, r.ebx, 1);
		amd_l2(f, 2, r.eax, 2 | 4);
	}
	if (ext >= 0x80000019 && fn(0x80000019, 0, &r, arg)) {
		json_array_append_new(f->leaves, json_string("0x80000019"));
		amd_l2(f, 1, r.eax, 8);
		amd_l2(f, 2, r.ebx, 8);
	}
}

json_t *mt_cpuid_tlb(mt_cpuid_fn fn, void *arg)
{
	struct found f = { .tlbs = json_array(), .leaves = json_array() };
	struct mt_cpuid_regs r;
	char vendor[13] = "";
	bool hv = false, intel, amd;
	json_t *o = NULL;

	if (!fn)
		fn = mt_cpuid_native;
	if (!f.tlbs || !f.leaves)
		goto out;
	if (!fn(0, 0, &r, arg)) {
		o = json_pack("{s:s, s:b, s:s}", "source", "cpuid", "reported",
			      0, "note", "not an x86 CPU: no cpuid");
		goto out;
	}
	memcpy(vendor, &r.ebx, 4);
	memcpy(vendor + 4, &r.edx, 4);
	memcpy(vendor + 8, &r.ecx, 4);
	intel = !strcmp(vendor, "GenuineIntel");
	amd = !strcmp(vendor, "AuthenticAMD") ||
	      !strcmp(vendor, "HygonGenuine");
	if (r.eax >= 1) {
		uint32_t max = r.eax;

		if (fn(1, 0, &r, arg))
			hv = (r.ecx >> 31) & 1;
		if (intel)
			intel_0x18(fn, arg, max, &f);
	}
	if (amd)
		amd_leaves(fn, arg, &f);
	o = json_pack("{s:s, s:s, s:b, s:b, s:O, s:O}", "source", "cpuid",
		      "vendor", vendor, "hypervisor", hv, "reported",
		      json_array_size(f.tlbs) > 0, "leaves", f.leaves, "tlbs",
		      f.tlbs);
	if (!o)
		goto out;
	if (f.l1_4k > 0)
		json_object_set_new(o, "entries_4k_l1", json_integer(f.l1_4k));
	if (f.l2_4k > 0)
		json_object_set_new(o, "entries_4k_l2", json_integer(f.l2_4k));
	if (!json_array_size(f.tlbs))
		json_object_set_new(
			o, "note",
			json_string(!intel && !amd ?
					    "no TLB leaf is known for this "
					    "CPU vendor" :
				    hv ? "masked by the hypervisor: the TLB "
					 "leaves report no entries" :
				    intel ?
					 "leaf 0x18 is not supported (older "
					 "Intel CPUs describe TLBs only "
					 "with leaf 2 descriptors)" :
					 "the TLB leaves report no entries"));
out:
	json_decref(f.tlbs);
	json_decref(f.leaves);
	return o;
}
