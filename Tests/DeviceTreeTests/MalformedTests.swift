import Testing
@testable import DeviceTree

/// A minimal valid tree: root with one property and one child, names "a" at 0 and "reg" at 2.
private let strings: [UInt8] = Array("a\0reg\0".utf8)
private func tree(_ structBlock: [UInt8]) -> [UInt8] { assemble(structBlock: structBlock, strings: strings) }
private let minimal = Tok.begin("") + Tok.prop(0, V.u32(1)) + Tok.begin("c") + Tok.endNode + Tok.endNode + Tok.end

@Suite struct HeaderTests {
    @Test func minimalTreeIsAccepted() {
        #expect(rejection(tree(minimal)) == nil)
    }

    @Test func shorterThanHeader() {
        #expect(rejection(Array(tree(minimal).prefix(35))) == .truncated)
        #expect(rejection([]) == .truncated)
    }

    @Test func v17HeaderNeeds40Bytes() {
        var b = Array(tree(minimal).prefix(38))
        patch32(&b, H.totalSize, 38)
        #expect(rejection(b) == .truncated)
    }

    @Test func totalSizeBeyondBuffer() {
        let b = tree(minimal)
        #expect(rejection(Array(b.dropLast())) == .truncated)
    }

    @Test func totalSizeSmallerThanHeader() {
        var b = tree(minimal)
        patch32(&b, H.totalSize, 20)
        #expect(rejection(b) == .badLayout)
    }

    @Test func badMagic() {
        var b = tree(minimal)
        patch32(&b, H.magic, 0xfeed_d00d)
        #expect(rejection(b) == .badMagic)
    }

    @Test func versionTooOld() {
        var b = tree(minimal)
        patch32(&b, H.version, 15)
        #expect(rejection(b) == .badVersion)
    }

    @Test func lastCompatibleVersionTooNew() {
        var b = tree(minimal)
        patch32(&b, H.lastComp, 18)
        #expect(rejection(b) == .badVersion)
    }

    @Test func version16WithoutStructSizeIsAccepted() {
        var b = tree(minimal)
        patch32(&b, H.version, 16)
        patch32(&b, H.sizeStruct, 0xffff_ffff)  // not a field in v16
        #expect(rejection(b) == nil)
    }

    @Test func structOffsetPastEnd() {
        var b = tree(minimal)
        patch32(&b, H.offStruct, UInt32(b.count + 4))
        #expect(rejection(b) == .badLayout)
    }

    @Test func stringsOffsetPastEnd() {
        var b = tree(minimal)
        patch32(&b, H.offStrings, UInt32(b.count + 1))
        #expect(rejection(b) == .badLayout)
    }

    @Test func blockOffsetInsideHeader() {
        var b = tree(minimal)
        patch32(&b, H.offStruct, 8)
        #expect(rejection(b) == .badLayout)
    }

    @Test func structSizePastEnd() {
        var b = tree(minimal)
        patch32(&b, H.sizeStruct, read32(b, H.sizeStruct) + read32(b, H.sizeStrings) + 4)
        #expect(rejection(b) == .badLayout)
    }

    @Test func overflowingSizes() {
        for field in [H.sizeStruct, H.sizeStrings] {
            var b = tree(minimal)
            patch32(&b, field, 0xffff_fffc)
            #expect(rejection(b) == .badLayout)
        }
        var b = tree(minimal)
        patch32(&b, H.offStrings, 0xffff_ffff)
        patch32(&b, H.sizeStrings, 2)
        #expect(rejection(b) == .badLayout)
    }

    @Test func misalignedStructBlock() {
        var b = tree(minimal)
        let off = Int(read32(b, H.offStruct))
        b.insert(0, at: off)  // shift the whole structure block by one byte
        patch32(&b, H.offStruct, UInt32(off + 1))
        patch32(&b, H.offStrings, read32(b, H.offStrings) + 1)
        patch32(&b, H.totalSize, UInt32(b.count))
        #expect(rejection(b) == .badLayout)
    }

    @Test func misalignedReservationMap() {
        var b = tree(minimal)
        patch32(&b, H.offRsvmap, 44)
        #expect(rejection(b) == .badLayout)
    }

    @Test func reservationMapWithoutTerminator() {
        // Point the map at the strings block's tail: no all-zero 16-byte entry before the end.
        var b = tree(minimal) + [1, 1, 1, 1, 1, 1, 1, 1]
        patch32(&b, H.totalSize, UInt32(b.count))
        patch32(&b, H.offRsvmap, UInt32((b.count - 8) & ~7))
        #expect(rejection(b) == .badLayout)
    }
}

@Suite struct StructureTests {
    @Test func unknownToken() {
        #expect(rejection(tree(Tok.begin("") + be32(7) + Tok.endNode + Tok.end)) == .badToken)
    }

    @Test func missingEnd() {
        #expect(rejection(tree(Tok.begin("") + Tok.endNode)) == .missingEnd)
    }

    @Test func missingEndAfterNOPs() {
        #expect(rejection(tree(Tok.begin("") + Tok.endNode + Tok.nop + Tok.nop)) == .missingEnd)
    }

    @Test func emptyStructureBlock() {
        #expect(rejection(tree([])) == .missingEnd)
    }

    @Test func endInsideNode() {
        #expect(rejection(tree(Tok.begin("") + Tok.begin("c") + Tok.endNode + Tok.end)) == .badNesting)
    }

    @Test func endWithoutRoot() {
        #expect(rejection(tree(Tok.end)) == .missingEnd)
    }

    @Test func endNodeWithoutBeginNode() {
        #expect(rejection(tree(Tok.endNode + Tok.end)) == .badNesting)
    }

    @Test func propertyOutsideAnyNode() {
        #expect(rejection(tree(Tok.prop(0, []) + Tok.begin("") + Tok.endNode + Tok.end)) == .badNesting)
    }

    @Test func propertyAfterAChild() {
        // §5.4.1: END_NODE is never followed by FDT_PROP, not even across NOPs or in a deeper node.
        let child = Tok.begin("c") + Tok.endNode
        #expect(rejection(tree(Tok.begin("") + child + Tok.prop(0, []) + Tok.endNode + Tok.end)) == .badNesting)
        #expect(rejection(tree(Tok.begin("") + child + Tok.nop + Tok.prop(0, []) + Tok.endNode + Tok.end))
                == .badNesting)
        let nested = Tok.begin("") + Tok.begin("p") + child + Tok.prop(2, []) + Tok.endNode + Tok.endNode + Tok.end
        #expect(rejection(tree(nested)) == .badNesting)
    }

    @Test func propertiesOfASiblingAfterAChildAreAccepted() {
        let block = Tok.begin("") + Tok.prop(0, []) + Tok.begin("c") + Tok.prop(2, []) + Tok.endNode
            + Tok.nop + Tok.begin("d") + Tok.prop(0, []) + Tok.begin("e") + Tok.endNode + Tok.endNode
            + Tok.endNode + Tok.end
        #expect(rejection(tree(block)) == nil)
    }

    @Test func secondRoot() {
        let two = Tok.begin("") + Tok.endNode + Tok.begin("") + Tok.endNode + Tok.end
        #expect(rejection(tree(two)) == .badNesting)
    }

    @Test func unterminatedNodeName() {
        // The name runs to the end of the structure block without a NUL.
        let b = tree(be32(1) + Array("abcd".utf8))
        #expect(rejection(b) == .badToken)
    }

    @Test func propertyLengthPastBlock() {
        var block = Tok.begin("") + Tok.prop(0, V.u32(1)) + Tok.endNode + Tok.end
        let lengthAt = Tok.begin("").count + 4
        block.replaceSubrange(lengthAt..<(lengthAt + 4), with: be32(64))
        #expect(rejection(tree(block)) == .badProperty)
    }

    @Test func propertyLengthOverflowing() {
        var block = Tok.begin("") + Tok.prop(0, V.u32(1)) + Tok.endNode + Tok.end
        let lengthAt = Tok.begin("").count + 4
        block.replaceSubrange(lengthAt..<(lengthAt + 4), with: be32(0xffff_fffd))
        #expect(rejection(tree(block)) == .badProperty)
    }

    @Test func propertyHeaderCutByBlockEnd() {
        #expect(rejection(tree(Tok.begin("") + be32(3) + be32(0))) == .badProperty)
    }

    @Test func propertyNameOffsetOutsideStrings() {
        #expect(rejection(tree(Tok.begin("") + Tok.prop(6, []) + Tok.endNode + Tok.end)) == .badString)
        #expect(rejection(tree(Tok.begin("") + Tok.prop(0xffff_ffff, []) + Tok.endNode + Tok.end)) == .badString)
    }

    @Test func unterminatedPropertyName() {
        let b = assemble(structBlock: Tok.begin("") + Tok.prop(0, []) + Tok.endNode + Tok.end,
                         strings: Array("reg".utf8))
        #expect(rejection(b) == .badString)
    }

    @Test func nestingAtTheLimitIsAccepted() {
        let depth = FDT.maxDepth
        let block = (0..<depth).flatMap { _ in Tok.begin("n") } + (0..<depth).flatMap { _ in Tok.endNode } + Tok.end
        #expect(rejection(tree(block)) == nil)
    }

    @Test func nestingTooDeep() {
        let depth = FDT.maxDepth + 1
        let block = (0..<depth).flatMap { _ in Tok.begin("n") } + (0..<depth).flatMap { _ in Tok.endNode } + Tok.end
        #expect(rejection(tree(block)) == .tooDeep)
    }

    @Test func nodesAtTheLimitAreAccepted() {
        let block = Tok.begin("") + (1..<FDT.maxNodes).flatMap { _ in Tok.begin("n") + Tok.endNode } + Tok.endNode + Tok.end
        #expect(rejection(tree(block)) == nil)
    }

    @Test func tooManyNodes() {
        let block = Tok.begin("") + (0..<FDT.maxNodes).flatMap { _ in Tok.begin("n") + Tok.endNode } + Tok.endNode + Tok.end
        #expect(rejection(tree(block)) == .tooManyNodes)
    }

    @Test func bytesAfterEndInsideStructSizeAreIgnored() {
        #expect(rejection(tree(minimal + be32(0xdead_beef))) == nil)
    }
}
