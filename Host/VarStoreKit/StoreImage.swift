import Foundation
import MM
import Variables

public struct VarStoreError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The variable store region of an image file, held in memory with NOR semantics (program ANDs
/// bits in, erase sets a block to 0xFF), as the partition's CFI flash behaves.
public struct MemoryFlash: Flash {
    public var bytes: [UInt8]
    public var size: Int { bytes.count }
    public let eraseBlockSize: Int
    public var programGranule: Int { 4 }

    public init(bytes: [UInt8], eraseBlockSize: Int) {
        self.bytes = bytes
        self.eraseBlockSize = eraseBlockSize
    }

    public func read(offset: Int, count: Int) -> [UInt8] { Array(bytes[offset..<(offset + count)]) }

    public mutating func program(offset: Int, bytes new: [UInt8]) throws(FlashError) {
        guard offset >= 0, offset + new.count <= bytes.count else { throw .outOfRange }
        guard offset % 4 == 0, new.count % 4 == 0 else { throw .misaligned }
        for (i, b) in new.enumerated() { bytes[offset + i] &= b }
    }

    public mutating func erase(block: Int) throws(FlashError) {
        guard block >= 0, (block + 1) * eraseBlockSize <= bytes.count else { throw .outOfRange }
        for i in (block * eraseBlockSize)..<((block + 1) * eraseBlockSize) { bytes[i] = 0xFF }
    }
}

/// A flash image (64 MiB, the store in its last 1 MiB) or a store image alone (1 MiB), mounted
/// with the partition's own log and store code.
public struct StoreImage {
    public static let flashSize = 64 << 20
    public static let storeSize = 1 << 20
    public static let blockSize = 256 << 10

    public typealias Store = VariableStore<FlashVariableLog<MemoryFlash>>

    public let path: String
    let file: [UInt8]
    let regionOffset: Int
    public var store: Store

    /// Opens `path`; refuses a file of another size, and a region that holds something other than
    /// a log (not all erased, yet no valid block), or a log with damaged or dropped records.
    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw VarStoreError("\(path): cannot read") }
        file = [UInt8](data)
        switch file.count {
        case StoreImage.flashSize: regionOffset = StoreImage.flashSize - StoreImage.storeSize
        case StoreImage.storeSize: regionOffset = 0
        default:
            throw VarStoreError("\(path): \(file.count) bytes: neither a 64 MiB flash image nor a 1 MiB store image")
        }
        self.path = path
        let region = Array(file[regionOffset..<(regionOffset + StoreImage.storeSize)])
        store = try StoreImage.mount(region, what: path)
    }

    /// Mounts `region` as the partition does (its default sizes and limits).
    static func mount(_ region: [UInt8], what: String) throws -> Store {
        let blank = region.allSatisfy { $0 == 0xFF }
        let log: FlashVariableLog<MemoryFlash>
        do throws(PersistenceError) {
            log = try FlashVariableLog(flash: MemoryFlash(bytes: region, eraseBlockSize: blockSize))
        } catch {
            throw VarStoreError("\(what): the store does not mount (\(error))")
        }
        if log.foundNoLog && !blank {
            throw VarStoreError("\(what): the store region holds no valid variable log (damaged or foreign); refusing it")
        }
        if log.statistics.damagedRecords > 0 {
            throw VarStoreError("\(what): \(log.statistics.damagedRecords) damaged record(s) (checksum); refusing the store")
        }
        if log.statistics.droppedRecords > 0 {
            throw VarStoreError("\(what): \(log.statistics.droppedRecords) record(s) past the store's limits; refusing the store")
        }
        return VariableStore(persistence: log, verifier: .standard)
    }

    /// Writes the image back, after mounting the new region again with the partition's code and
    /// finding exactly the variables held now; the file is replaced whole (write then rename).
    public func save() throws {
        let region = store.persistence.flash.bytes
        let again = try StoreImage.mount(region, what: "the new store")
        let key = { (v: StoredVariable) in v.guid.bytes + v.name }
        let now = store.persistence.variables.sorted { key($0).lexicographicallyPrecedes(key($1)) }
        let mounted = again.persistence.variables.sorted { key($0).lexicographicallyPrecedes(key($1)) }
        guard now == mounted else { throw VarStoreError("the new store would not mount as written; nothing saved") }
        var out = file
        out.replaceSubrange(regionOffset..<(regionOffset + StoreImage.storeSize), with: region)
        let temporary = path + ".varstore-tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(out)) else {
            throw VarStoreError("\(temporary): cannot write")
        }
        guard rename(temporary, path) == 0 else { throw VarStoreError("\(path): cannot replace (errno \(errno))") }
    }
}
