extension Commands {
    /// Commands for the proof tests (hostile normal world, benchmarks).
    static let testCommands: [Command] = [hostileCommand, benchCommand]
}
