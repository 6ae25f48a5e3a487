/// The buffer pair the driver maps with `FFA_RXTX_MAP_64`: the image gives physical addresses and
/// reads its RX memory; host tests fake the RX contents.
public protocol RXTXBuffers {
    /// Physical address of the TX buffer (x1 of FFA_RXTX_MAP).
    var txAddress: UInt64 { get }
    /// Physical address of the RX buffer (x2 of FFA_RXTX_MAP).
    var rxAddress: UInt64 { get }
    /// Bytes reserved at each address. The driver maps the SPMC's minimum size, which must not
    /// exceed this and must divide both addresses (4, 16 or 64 KiB).
    var capacity: Int { get }
    /// `count` bytes of the RX buffer from `offset`. The driver stays inside the mapped size;
    /// it treats a shorter answer as malformed data.
    func readRX(offset: Int, count: Int) -> [UInt8]
}

/// What is mapped: the addresses given to `FFA_RXTX_MAP_64` and the size of each buffer.
public struct RXTXMapping: Equatable, Sendable {
    public var txAddress: UInt64
    public var rxAddress: UInt64
    public var size: Int

    public init(txAddress: UInt64, rxAddress: UInt64, size: Int) {
        self.txAddress = txAddress; self.rxAddress = rxAddress; self.size = size
    }

    /// FF-A v1.2 §13.x FFA_FEATURES(FFA_RXTX_MAP) w2 bits 1:0, the minimum buffer size and
    /// alignment: 0b00 4 KiB, 0b01 64 KiB, 0b10 16 KiB, 0b11 reserved (nil).
    public static func minimumSize(rxtxMapProperties w2: UInt32) -> Int? {
        switch w2 & 3 {
        case 0: return 4096
        case 1: return 65536
        case 2: return 16384
        default: return nil
        }
    }
}

/// The interface properties `FFA_FEATURES` answers in w2 and w3 of FFA_SUCCESS.
public struct FeatureProperties: Equatable, Sendable {
    public var w2: UInt32
    public var w3: UInt32
    public init(w2: UInt32, w3: UInt32) { self.w2 = w2; self.w3 = w3 }
}
