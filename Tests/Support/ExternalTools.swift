import Foundation

/// Runs the outside tools that make test vectors (`openssl`, efitools' `cert-to-efi-sig-list`
/// and `sign-efi-sig-list`) in a scratch directory. `tools/ensure-test-tools.sh` installs them.
public struct ExternalTools {
    public let directory: URL

    /// A fresh scratch directory, removed with `cleanUp()`.
    public init() {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("fw-tools-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    public func cleanUp() { try? FileManager.default.removeItem(at: directory) }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs `arguments` (the tool first, found on PATH) in the scratch directory; throws with its
    /// error output when it fails or is missing.
    @discardableResult
    public func run(_ arguments: [String], input: Data? = nil) throws -> Data {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = arguments
        p.currentDirectoryURL = directory
        let out = Pipe(), err = Pipe(), inp = Pipe()
        p.standardOutput = out
        p.standardError = err
        if input != nil { p.standardInput = inp }
        try p.run()
        if let input = input {
            inp.fileHandleForWriting.write(input)
            try inp.fileHandleForWriting.close()
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw Failure(description: "\(arguments.joined(separator: " ")) failed (\(p.terminationStatus)): "
                + (String(data: errors, encoding: .utf8) ?? "")
                + " (tools/ensure-test-tools.sh installs the test tools)")
        }
        return data
    }

    public func read(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    public func write(_ name: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: directory.appendingPathComponent(name))
    }

    /// A self-signed RSA certificate and its key: `<name>.crt` (PEM), `<name>.der`, `<name>.key`.
    /// Returns the DER.
    @discardableResult
    public func makeCertificate(_ name: String, bits: Int = 2048, subject: String? = nil) throws -> [UInt8] {
        try run(["openssl", "req", "-x509", "-newkey", "rsa:\(bits)", "-nodes", "-sha256", "-days", "3650",
                 "-subj", "/CN=\(subject ?? name)", "-keyout", "\(name).key", "-out", "\(name).crt"])
        try run(["openssl", "x509", "-in", "\(name).crt", "-outform", "DER", "-out", "\(name).der"])
        return try read("\(name).der")
    }

    /// A certificate for `name` issued by `issuer` (whose `.crt` and `.key` exist).
    @discardableResult
    public func makeIssuedCertificate(_ name: String, issuer: String, bits: Int = 2048) throws -> [UInt8] {
        try run(["openssl", "req", "-new", "-newkey", "rsa:\(bits)", "-nodes", "-subj", "/CN=\(name)",
                 "-keyout", "\(name).key", "-out", "\(name).csr"])
        try run(["openssl", "x509", "-req", "-in", "\(name).csr", "-CA", "\(issuer).crt", "-CAkey", "\(issuer).key",
                 "-set_serial", "7", "-sha256", "-days", "3650", "-out", "\(name).crt"])
        try run(["openssl", "x509", "-in", "\(name).crt", "-outform", "DER", "-out", "\(name).der"])
        return try read("\(name).der")
    }
}

extension ExternalTools {
    public static let owner = "5f3b0a52-6d8f-4c8e-9d3a-7b1c2e4f6a80"

    /// `<name>.esl`: the certificate `<name>.crt` as an EFI_SIGNATURE_LIST (efitools).
    @discardableResult
    public func signatureList(_ name: String) throws -> [UInt8] {
        try run(["cert-to-efi-sig-list", "-g", ExternalTools.owner, "\(name).crt", "\(name).esl"])
        return try read("\(name).esl")
    }

    /// An EFI_VARIABLE_AUTHENTICATION_2 write of `variable` with the file `esl` (empty: a
    /// deletion), signed by `signer` at `time` ("YYYY-MM-DD HH:MM:SS"), made by efitools'
    /// sign-efi-sig-list; `append` adds -a. Written to `output` and returned.
    @discardableResult
    public func authenticatedWrite(_ variable: String, esl: String, signer: String, time: String,
                                   append: Bool = false, guid: String? = nil, output: String) throws -> [UInt8] {
        var args = ["sign-efi-sig-list", "-t", time, "-k", "\(signer).key", "-c", "\(signer).crt"]
        if append { args.append("-a") }
        if let g = guid { args += ["-g", g] }
        try run(args + [variable, esl, output])
        return try read(output)
    }
}
