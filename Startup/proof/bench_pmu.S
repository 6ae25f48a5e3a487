// `bench` (proof build): the PMU registers the benchmarks use, one `msr`/`mrs` then `ret` per
// 8-byte slot of bench_pmu_access (index order as in BenchPMU.swift), and the two counters read
// back to back by bench_pmu_snapshot.
    .section .text.bench_pmu, "ax"
    .global bench_pmu_access
bench_pmu_access:                       // x0 = index, x1 = value written: the value read in x0
    adr     x2, 1f
    add     x2, x2, x0, lsl #3
    mov     x0, x1
    br      x2
    .balign 8
1:
    mrs     x0, pmcr_el0                // 0
    ret
    msr     pmcr_el0, x0                // 1
    ret
    msr     pmcntenset_el0, x0          // 2
    ret
    msr     pmcntenclr_el0, x0          // 3
    ret
    msr     pmevtyper0_el0, x0          // 4
    ret
    msr     pmevcntr0_el0, x0           // 5
    ret
    msr     pmccfiltr_el0, x0           // 6
    ret
    msr     pmccntr_el0, x0             // 7
    ret
    isb                                 // 8
    ret

    .global bench_pmu_snapshot
bench_pmu_snapshot:                     // x0 = two slots: INST_RETIRED of counter 0, the cycle counter
    mrs     x1, pmevcntr0_el0
    mrs     x2, pmccntr_el0
    stp     x1, x2, [x0]
    ret
