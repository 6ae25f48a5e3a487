import Foundation
import VarStoreKit

// `varstore`: see VarStoreCommand.usage.
do {
    let out = try VarStoreCommand.run(Array(CommandLine.arguments.dropFirst()))
    FileHandle.standardOutput.write(Data(out))
} catch {
    FileHandle.standardError.write(Data("varstore: \(error)\n".utf8))
    exit(1)
}
