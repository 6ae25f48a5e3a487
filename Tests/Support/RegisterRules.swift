import ABI
import SPMC
import SecureMonitor

extension MonitorStep {
    /// The registers a resumed world gets back keep the SMCCC v1.2 rules, checked against
    /// `stopped`, the registers of the call that world is stopped in (its own call, or for the
    /// receiver of a direct message its FFA_MSG_WAIT or request):
    /// - x0 holds a 32-bit value, or the SMC64 "unknown function" -1;
    /// - a call outside FF-A (SMCCC architecture, PSCI, unknown) gets x0 alone: x1...x17 are
    ///   `stopped`'s;
    /// - an FF-A answer writes x0...x7 (x0...x17 for the extended ABIs) and leaves the rest as
    ///   `stopped` had them, so no register of the other world leaks past the message; an SMC32
    ///   answer has 32-bit values in x1...x7.
    public func keepsRegisterRules(stopped: Registers) -> Bool {
        guard case .resume(_, let r) = action else { return true }
        let call = FunctionID(stopped.w(0))
        // A message delivered from the other world is an FF-A message whatever that world's
        // last call was.
        let isFFACall = call.isFastCall && !call.hasReservedBitsSet && FFAFunction.isFFA(call.withoutSVEHint.raw)
            || FFAFunction.isFFA(r.w(0)) && FunctionID(r.w(0)).isFastCall && !FunctionID(r.w(0)).hasReservedBitsSet
        guard isFFACall else {
            guard r.x0 >> 32 == 0 || r.x0 == UInt64.max else { return false }
            for i in 1..<Registers.count where r[i] != stopped[i] { return false }
            return true
        }
        guard r.x0 >> 32 == 0 else { return false }
        let answer = FunctionID(r.w(0))
        let span = FFAFunction.definedRegisterCount(answer.raw)
        for i in span..<Registers.count where r[i] != stopped[i] { return false }
        // Only an SMC64 function ID in w0 may come with 64-bit values.
        if !(answer.isFastCall && answer.isSMC64) {
            for i in 1...7 where r[i] >> 32 != 0 { return false }
        }
        return true
    }
}
