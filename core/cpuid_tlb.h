/* The TLB geometry the CPU reports through cpuid: Intel's leaf 0x18
 * (deterministic address translation parameters), AMD's leaves 0x80000005
 * (L1 TLB), 0x80000006 (L2 TLB) and 0x80000019 (1 GiB pages). A hypervisor
 * may hide these leaves (Intel's 0x18 reads as invalid on some VMs) or
 * synthesize them: the snapshot says which leaves answered and whether
 * the CPU runs under a hypervisor, so the reader can weigh the figures.
 */
#ifndef MT_CPUID_TLB_H
#define MT_CPUID_TLB_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct mt_cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

/* One cpuid query: fills r for (leaf, subleaf) and returns true, or false
 * when the CPU cannot be asked (not x86). */
typedef bool (*mt_cpuid_fn)(uint32_t leaf, uint32_t subleaf,
			    struct mt_cpuid_regs *r, void *arg);

/* The real CPU's cpuid (false on other architectures). */
bool mt_cpuid_native(uint32_t leaf, uint32_t subleaf, struct mt_cpuid_regs *r,
		     void *arg);

/* The TLBs cpuid describes, as a new object (NULL only when memory runs
 * out):
 *   {"source": "cpuid", "vendor": "GenuineIntel" | "AuthenticAMD" | ...,
 *    "hypervisor": bool (cpuid 1 ECX bit 31),
 *    "reported": bool (some TLB leaf answered with entries),
 *    "note": why nothing is reported (only when reported is false:
 *            "masked by the hypervisor", "not an x86 CPU", ...),
 *    "leaves": ["0x18"] or ["0x80000005", "0x80000006", ...],
 *    "tlbs": [{"level": 1, "type": "data" | "instruction" | "unified" |
 *              "load" | "store", "page_sizes": ["4k", "2m", "4m", "1g"],
 *              "entries": N, "ways": W (0: fully associative)}],
 *    "entries_4k_l1": N, "entries_4k_l2": N (data or unified TLBs with
 *              4 KiB pages, the largest per level; left out when none)}
 * fn NULL means mt_cpuid_native. */
json_t *mt_cpuid_tlb(mt_cpuid_fn fn, void *arg);

#endif
