import MMU

@_extern(c, "__text_end") nonisolated(unsafe) var __text_end: UInt8
@_extern(c, "__rodata_end") nonisolated(unsafe) var __rodata_end: UInt8
@_extern(c, "__efi_runtime_data") nonisolated(unsafe) var __efi_runtime_data: UInt8
@_extern(c, "efi_runtime_services") nonisolated(unsafe) var efi_runtime_services: UInt64
@_extern(c, "efi_rt_properties_table") nonisolated(unsafe) var efi_rt_properties_table: UInt64
@_extern(c, "__efi_runtime_start") nonisolated(unsafe) var __efi_runtime_start: UInt8
@_extern(c, "__efi_runtime_stop") nonisolated(unsafe) var __efi_runtime_stop: UInt8

func address(_ p: UnsafeMutableRawPointer) -> UInt64 { UInt64(UInt(bitPattern: p)) }

/// Puts `value` in `box`'s place on the heap, allocating it the first time. For globals that
/// are set before any use: a pointer that is 0 until then lies in .bss and reaches the value in
/// place, where a global holding an array would be built on first use (a swift_once check
/// inlined at each use) and an optional whose nil is not all zero bytes would lie in .data.
func put<T>(_ box: inout UnsafeMutablePointer<T>?, _ value: consuming T) {
    if let b = unsafe box { unsafe b.pointee = value; return }
    let b = UnsafeMutablePointer<T>.allocate(capacity: 1)
    unsafe b.initialize(to: value)
    unsafe box = b
}

/// This image's W^X regions (Linker/normal.ld), laid over RAM mapped read/write, execute-never:
/// the boot code, the runtime region's code, the vectors and crash report (with, in the proof
/// build, the runtime caller) and .text read-only and executable; .rodata read-only; the
/// runtime region's data and everything after .rodata stay read/write. The proof build's
/// `exitbs` maps the runtime parts alone.
enum ImageMap {
    static func address(_ p: UnsafeMutableRawPointer) -> UInt64 { UInt64(UInt(bitPattern: p)) }

    static var imageStart: UInt64 { address(unsafe UnsafeMutableRawPointer(&__image_start)) }
    static var runtimeStart: UInt64 { address(unsafe UnsafeMutableRawPointer(&__efi_runtime_start)) }
    static var runtimeData: UInt64 { address(unsafe UnsafeMutableRawPointer(&__efi_runtime_data)) }
    static var runtimeStop: UInt64 { address(unsafe UnsafeMutableRawPointer(&__efi_runtime_stop)) }
    static var textEnd: UInt64 { address(unsafe UnsafeMutableRawPointer(&__text_end)) }
    static var rodataEnd: UInt64 { address(unsafe UnsafeMutableRawPointer(&__rodata_end)) }

    /// Maps the whole image's code and read-only data (the boot map) into `t`, every part even
    /// when one fails; false if any did. No list of regions built to be walked.
    static func mapBoot(_ t: inout TranslationTables) -> Bool {
        let boot = t.map(imageStart, runtimeStart - imageStart, .code)
        let runtime = t.map(runtimeStart, runtimeData - runtimeStart, .code)
        let rest = t.map(runtimeStop, textEnd - runtimeStop, .code)
        return t.map(textEnd, rodataEnd - textEnd, .readOnly) && boot && runtime && rest
    }
}
