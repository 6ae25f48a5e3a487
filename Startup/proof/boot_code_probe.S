// A boot-time function (ordinary .text) that the proof build's `exitbs probe` calls after
// ExitBootServices: with only the runtime region executable, the call must fault.
    .section .text.boot_code_probe, "ax"
    .global boot_code_probe
boot_code_probe:
    ret
