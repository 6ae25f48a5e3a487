// EFI_RUNTIME_SERVICES and EFI_RT_PROPERTIES_TABLE (UEFI 2.10 §4.5, §4.6.2), in runtime data.
// The pointers are fixed at link time; the header CRC32 is filled in at ExitBootServices.

    .section .data.efi_runtime.tables, "aw"
    .balign 8
    .global efi_runtime_services
efi_runtime_services:
    .quad   0x56524553544e5552          // Signature "RUNTSERV"
    .word   (2 << 16) | 100             // Revision: UEFI 2.10
    .word   136                         // HeaderSize: header + 14 function pointers
    .word   0                           // CRC32 (computed over HeaderSize bytes with this 0)
    .word   0                           // Reserved
    .quad   efi_runtime_unsupported     // GetTime
    .quad   efi_runtime_unsupported     // SetTime
    .quad   efi_runtime_unsupported     // GetWakeupTime
    .quad   efi_runtime_unsupported     // SetWakeupTime
    .quad   efi_runtime_unsupported     // SetVirtualAddressMap
    .quad   efi_runtime_unsupported     // ConvertPointer
    .quad   efi_runtime_get_variable    // GetVariable
    .quad   efi_runtime_get_next_variable_name
    .quad   efi_runtime_set_variable    // SetVariable
    .quad   efi_runtime_unsupported     // GetNextHighMonotonicCount
    .quad   efi_runtime_reset_system    // ResetSystem
    .quad   efi_runtime_unsupported     // UpdateCapsule
    .quad   efi_runtime_unsupported     // QueryCapsuleCapabilities
    .quad   efi_runtime_query_variable_info

    .balign 8
    .global efi_rt_properties_table
efi_rt_properties_table:                // GUID eb66918a-7eef-402a-842e-931d21c38ae9
    .hword  1                           // Version
    .hword  8                           // Length
    .word   0x10 | 0x20 | 0x40 | 0x400 | 0x2000 // GET_VARIABLE, GET_NEXT_VARIABLE_NAME, SET_VARIABLE, RESET_SYSTEM,
                                        // QUERY_VARIABLE_INFO; rewritten from EFIRuntimeService.offered
