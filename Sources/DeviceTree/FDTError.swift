/// Why a flattened devicetree was rejected or could not be edited.
public enum FDTError: Error, Equatable, Sendable {
    /// The buffer is shorter than the header or than the header's `totalsize`.
    case truncated
    /// `magic` is not 0xd00dfeed.
    case badMagic
    /// `version` < 16 or `last_comp_version` > 17.
    case badVersion
    /// A block lies outside `totalsize`, is misaligned, or the reservation map has no terminator.
    case badLayout
    /// An unknown token, or a token or node name running past the structure block.
    case badToken
    /// A property whose value runs past the structure block.
    case badProperty
    /// A property name offset outside the strings block, or a name without its NUL.
    case badString
    /// END_NODE without BEGIN_NODE, a property outside any node or after a child node (§5.4.1),
    /// a second root, END inside a node.
    case badNesting
    /// Nodes nested deeper than `FDT.maxDepth`.
    case tooDeep
    /// More nodes than `FDT.maxNodes`.
    case tooManyNodes
    /// The structure block ends without FDT_END.
    case missingEnd
    /// An edit needs more bytes than the buffer has after the used part of the blob.
    case noSpace
    /// An edit the tree cannot express: a bad node name, or a value that does not fit its cells.
    case unsupported
}
