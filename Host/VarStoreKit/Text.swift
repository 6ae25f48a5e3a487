import Foundation
import MM

/// Names, GUIDs, attributes and certificates as the command line writes them.
enum Text {
    static func ucs2(_ name: String) -> [UInt8] {
        var out: [UInt8] = []
        for u in name.utf16 { out += [UInt8(u & 0xff), UInt8(u >> 8)] }
        return out + [0, 0]
    }

    static func name(_ ucs2: [UInt8]) -> String {
        var units: [UInt16] = []
        var i = 0
        while i + 1 < ucs2.count {
            let u = UInt16(ucs2[i]) | UInt16(ucs2[i + 1]) << 8
            if u == 0 { break }
            units.append(u)
            i += 2
        }
        return String(decoding: units, as: UTF16.self)
    }

    /// "8be4df61-93ca-11d2-aa0d-00e098032b8c" (the registry form) to EFI_GUID bytes.
    static func guid(_ text: String) -> EFIGuid? {
        let hex = text.filter { $0 != "-" }
        guard hex.count == 32, text.count == 36, let raw = bytes(hex: hex) else { return nil }
        // Data1, Data2, Data3 are little-endian in memory.
        let stored = [raw[3], raw[2], raw[1], raw[0], raw[5], raw[4], raw[7], raw[6]] + raw[8...]
        return EFIGuid(bytes: Array(stored), at: 0)
    }

    static func guid(_ g: EFIGuid) -> String {
        let b = g.bytes
        let order = [3, 2, 1, 0, -1, 5, 4, -1, 7, 6, -1, 8, 9, -1, 10, 11, 12, 13, 14, 15]
        return order.map { $0 < 0 ? "-" : String(format: "%02x", b[$0]) }.joined()
    }

    static func bytes(hex: String) -> [UInt8]? {
        let chars = Array(hex.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        for i in stride(from: 0, to: chars.count, by: 2) {
            guard let v = UInt8(String(decoding: chars[i..<(i + 2)], as: UTF8.self), radix: 16) else { return nil }
            out.append(v)
        }
        return out
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    static let attributeNames: [(String, UInt32)] = [("nv", 0x1), ("bs", 0x2), ("rt", 0x4), ("hr", 0x8), ("aw", 0x10),
                                                     ("at", 0x20), ("ap", 0x40), ("ea", 0x80)]

    static func attributes(_ value: UInt32) -> String {
        attributeNames.filter { value & $0.1 != 0 }.map { $0.0.uppercased() }.joined(separator: "|")
    }

    static func attributes(parsing text: String) -> UInt32? {
        var value: UInt32 = 0
        for word in text.lowercased().split(separator: ",") {
            guard let bit = attributeNames.first(where: { $0.0 == word })?.1 else { return nil }
            value |= bit
        }
        return value
    }

    /// A certificate file in PEM (the first CERTIFICATE block) or DER.
    static func certificate(_ bytes: [UInt8]) -> [UInt8]? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let begin = text.range(of: "-----BEGIN CERTIFICATE-----") else { return bytes.first == 0x30 ? bytes : nil }
        guard let end = text.range(of: "-----END CERTIFICATE-----", range: begin.upperBound..<text.endIndex) else { return nil }
        let body = text[begin.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
        return Data(base64Encoded: String(body)).map { [UInt8]($0) }
    }
}
