/* Unit tests for the decoding of the TLB leaves of cpuid (core/cpuid_tlb.c)
 * from register values: Intel leaf 0x18 and AMD 0x80000005/6/19, laid out
 * as Intel's SDM (vol. 2A, CPUID leaf 18H) and AMD's APM (vol. 3, CPUID
 * Fn8000_0005/6/19) describe them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../core/cpuid_tlb.h"

/* One answer of a fake CPU. */
struct leaf {
	uint32_t leaf, sub;
	struct mt_cpuid_regs r;
};

/* A fake CPU: a table of answers, all zeros for any other query (as a CPU
 * answers a leaf above its maximum with zeros or the highest leaf's). */
struct cpu {
	const struct leaf *t;
	size_t n;
	bool x86;
};

static bool fake(uint32_t leaf, uint32_t sub, struct mt_cpuid_regs *r,
		 void *arg)
{
	const struct cpu *c = arg;

	memset(r, 0, sizeof(*r));
	if (!c->x86)
		return false;
	for (size_t i = 0; i < c->n; i++)
		if (c->t[i].leaf == leaf && c->t[i].sub == sub) {
			*r = c->t[i].r;
			return true;
		}
	return true;
}

/* "GenuineIntel" and "AuthenticAMD" as leaf 0 returns them (EBX, EDX,
 * ECX), with the highest basic leaf in EAX. */
#define INTEL(max) \
	{ \
		0, 0, \
		{ \
			(max), 0x756e6547, 0x6c65746e, 0x49656e69 \
		} \
	}
#define AMD(max) \
	{ \
		0, 0, \
		{ \
			(max), 0x68747541, 0x444d4163, 0x69746e65 \
		} \
	}
#define HV_BIT (1u << 31)

/* The TLB of tlbs with this level, type and first page size, or NULL. */
static json_t *find(json_t *o, int level, const char *type, const char *page)
{
	json_t *t;
	size_t i;

	json_array_foreach(json_object_get(o, "tlbs"), i, t)
		if (json_integer_value(json_object_get(t, "level")) == level &&
		    !strcmp(json_string_value(json_object_get(t, "type")),
			    type) &&
		    !strcmp(json_string_value(json_array_get(
				    json_object_get(t, "page_sizes"), 0)),
			    page))
			return t;
	return NULL;
}

static long ival(json_t *o, const char *k)
{
	return (long)json_integer_value(json_object_get(o, k));
}

/* Asserts that o has the TLB find() names, with entries entries and, when
 * ways >= 0, that many ways; returns it. */
static json_t *expect_tlb(json_t *o, int level, const char *type,
			  const char *page, long entries, long ways)
{
	json_t *x = find(o, level, type, page);

	assert_non_null(x);
	assert_int_equal(ival(x, "entries"), entries);
	if (ways >= 0)
		assert_int_equal(ival(x, "ways"), ways);
	return x;
}

/* Leaf 0x18 of a CPU with an Intel Golden Cove-like TLB layout: subleaf
 * 0 (EAX: the last subleaf) an L1 instruction TLB, 4K, 8 ways x 32 sets;
 * 1 a load-only L1 TLB, 4K, 6 ways x 16 sets = 96; 2 a store-only L1
 * TLB, every page size, fully associative, 16 entries; 3 the unified L2
 * TLB, 4K and 2M, 16 ways x 128 sets = 2048; 4 invalid (type 0). */
static void test_intel_0x18(void **state)
{
	static const struct leaf t[] = {
		INTEL(0x20),
		{ 1, 0, { 0x806f1, 0, 0, 0 } },
		{ 0x18, 0, { 4, (8u << 16) | 0x1, 32, 0x22 } },
		{ 0x18, 1, { 0, (6u << 16) | 0x1, 16, 0x24 } },
		{ 0x18, 2, { 0, (16u << 16) | 0xf, 1, 0x125 } },
		{ 0x18, 3, { 0, (16u << 16) | 0x3, 128, 0x43 } },
		{ 0x18, 4, { 0, 0, 0, 0 } },
	};
	struct cpu c = { t, sizeof(t) / sizeof(t[0]), true };
	json_t *o = mt_cpuid_tlb(fake, &c), *x;

	(void)state;
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "vendor")),
			    "GenuineIntel");
	assert_true(json_is_true(json_object_get(o, "reported")));
	assert_false(json_is_true(json_object_get(o, "hypervisor")));
	assert_int_equal(json_array_size(json_object_get(o, "tlbs")), 4);
	expect_tlb(o, 1, "instruction", "4k", 256, 8);
	expect_tlb(o, 1, "load", "4k", 96, -1);
	x = expect_tlb(o, 1, "store", "4k", 16, 0);
	assert_int_equal(json_array_size(json_object_get(x, "page_sizes")), 4);
	x = expect_tlb(o, 2, "unified", "4k", 2048, -1);
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(x, "page_sizes"), 1)),
			    "2m");
	assert_int_equal(ival(o, "entries_4k_l1"), 96);
	assert_int_equal(ival(o, "entries_4k_l2"), 2048);
	json_decref(o);
}

/* An Intel VM whose hypervisor leaves leaf 0x18 invalid (REFERENCE.md:
 * "cpuid leaf 0x18, the TLB leaf, reads as invalid"): nothing reported,
 * "masked by the hypervisor". Without the hypervisor bit, and on a CPU
 * whose highest leaf is below 0x18, the note says the leaf is missing. */
static void test_intel_masked(void **state)
{
	static const struct leaf vm[] = {
		INTEL(0x1f),
		{ 1, 0, { 0x806f8, 0, HV_BIT, 0 } },
	};
	static const struct leaf old[] = {
		INTEL(0x0d),
		{ 1, 0, { 0x306c3, 0, 0, 0 } },
	};
	struct cpu c = { vm, 2, true }, c2 = { old, 2, true };
	json_t *o = mt_cpuid_tlb(fake, &c);

	(void)state;
	assert_false(json_is_true(json_object_get(o, "reported")));
	assert_true(json_is_true(json_object_get(o, "hypervisor")));
	assert_non_null(strstr(json_string_value(json_object_get(o, "note")),
			       "masked by the hypervisor"));
	assert_null(json_object_get(o, "entries_4k_l2"));
	json_decref(o);
	o = mt_cpuid_tlb(fake, &c2);
	assert_false(json_is_true(json_object_get(o, "reported")));
	assert_int_equal(json_array_size(json_object_get(o, "leaves")), 0);
	assert_non_null(strstr(json_string_value(json_object_get(o, "note")),
			       "leaf 0x18 is not supported"));
	json_decref(o);
}

/* The registers this development VM (AMD family 1Ah, under a hypervisor)
 * returned: 0x80000005 EAX = EBX = 0xff60ff40 (L1: 96 data and 64
 * instruction entries, fully associative, for 4K and for 2M/4M pages);
 * 0x80000006 EAX = 0x40802040, EBX = 0x60804040 (L2 4K: 128 data
 * entries, code 6 = 8 ways; 64 instruction entries, code 4 = 4 ways;
 * 2M/4M: 128 data, 4 ways; 64 instruction, 2 ways); 0x80000019 zeros
 * (no 1G entries). Linux's "TLB size: 192 4K pages" is 128 + 64. */
static void test_amd_vm(void **state)
{
	static const struct leaf t[] = {
		AMD(0x0d),
		{ 1, 0, { 0xb00f21, 0, HV_BIT, 0 } },
		{ 0x80000000, 0, { 0x80000021, 0, 0, 0 } },
		{ 0x80000005, 0, { 0xff60ff40, 0xff60ff40, 0, 0 } },
		{ 0x80000006, 0, { 0x40802040, 0x60804040, 0, 0 } },
		{ 0x80000019, 0, { 0, 0, 0, 0 } },
	};
	struct cpu c = { t, sizeof(t) / sizeof(t[0]), true };
	json_t *o = mt_cpuid_tlb(fake, &c);

	(void)state;
	assert_string_equal(json_string_value(json_object_get(o, "vendor")),
			    "AuthenticAMD");
	assert_true(json_is_true(json_object_get(o, "reported")));
	assert_true(json_is_true(json_object_get(o, "hypervisor")));
	assert_int_equal(json_array_size(json_object_get(o, "leaves")), 3);
	expect_tlb(o, 1, "data", "4k", 96, 0);
	expect_tlb(o, 1, "instruction", "2m", 64, -1);
	expect_tlb(o, 2, "data", "4k", 128, 8);
	expect_tlb(o, 2, "instruction", "4k", 64, 4);
	expect_tlb(o, 2, "data", "2m", 128, 4);
	assert_null(find(o, 2, "data", "1g"));
	assert_int_equal(ival(o, "entries_4k_l1"), 96);
	assert_int_equal(ival(o, "entries_4k_l2"), 128);
	json_decref(o);
}

/* The 12-bit entry fields of 0x80000006 and 0x80000019: an L2 data TLB of
 * 3072 4K entries (Zen 4's size; 0xc00 does not fit the 8 bits of the L1
 * leaf) with code 0xf (fully associative), an instruction TLB of 512
 * entries with code 6 (8 ways); 1G pages: 64 L2 data entries, code 8 (16
 * ways), and an L2 TLB turned off (code 0) that is left out. */
static void test_amd_wide_fields(void **state)
{
	static const struct leaf t[] = {
		AMD(0x10),
		{ 1, 0, { 0xa10f11, 0, 0, 0 } },
		{ 0x80000000, 0, { 0x80000028, 0, 0, 0 } },
		{ 0x80000005, 0, { 0, 0xff48ff40, 0, 0 } },
		{ 0x80000006,
		  0,
		  { 0, (0xfu << 28) | (0xc00u << 16) | (6u << 12) | 0x200, 0,
		    0 } },
		{ 0x80000019, 0, { 0, (8u << 28) | (64u << 16) | 0x40, 0, 0 } },
	};
	struct cpu c = { t, sizeof(t) / sizeof(t[0]), true };
	json_t *o = mt_cpuid_tlb(fake, &c);

	(void)state;
	assert_false(json_is_true(json_object_get(o, "hypervisor")));
	expect_tlb(o, 2, "data", "4k", 3072, 0);
	expect_tlb(o, 2, "instruction", "4k", 512, 8);
	expect_tlb(o, 2, "data", "1g", 64, 16);
	/* Code 0 in bits 15:12: that instruction TLB is off. */
	assert_null(find(o, 2, "instruction", "1g"));
	assert_int_equal(ival(o, "entries_4k_l1"), 72);
	assert_int_equal(ival(o, "entries_4k_l2"), 3072);
	json_decref(o);
}

/* No cpuid at all (another architecture), and a vendor without TLB
 * leaves. */
static void test_not_x86(void **state)
{
	static const struct leaf t[] = {
		{ 0, 0, { 1, 0x746e6543, 0x736c7561, 0x48727561 } },
	};
	struct cpu none = { NULL, 0, false }, other = { t, 1, true };
	json_t *o = mt_cpuid_tlb(fake, &none);

	(void)state;
	assert_false(json_is_true(json_object_get(o, "reported")));
	assert_non_null(strstr(json_string_value(json_object_get(o, "note")),
			       "not an x86 CPU"));
	json_decref(o);
	o = mt_cpuid_tlb(fake, &other);
	assert_string_equal(json_string_value(json_object_get(o, "vendor")),
			    "CentaurHauls");
	assert_non_null(strstr(json_string_value(json_object_get(o, "note")),
			       "no TLB leaf is known"));
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intel_0x18),
		cmocka_unit_test(test_intel_masked),
		cmocka_unit_test(test_amd_vm),
		cmocka_unit_test(test_amd_wide_fields),
		cmocka_unit_test(test_not_x86),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
