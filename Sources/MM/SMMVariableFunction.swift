/// SMM variable function numbers (EDK2 `MdeModulePkg/Include/Guid/SmmVariableCommon.h`).
public enum SMMVariableFunction: UInt64, Equatable, Sendable, CaseIterable {
    case getVariable = 1
    case getNextVariableName = 2
    case setVariable = 3
    case queryVariableInfo = 4
    case readyToBoot = 5
    case exitBootService = 6
    case getStatistics = 7
    case lockVariable = 8
    case varCheckVariablePropertySet = 9
    case varCheckVariablePropertyGet = 10
    case getPayloadSize = 11
    case initRuntimeVariableCacheContext = 12
    case syncRuntimeCache = 13
    case getRuntimeCacheInfo = 14

    public var name: StaticString {
        switch self {
        case .getVariable: return "SMM_VARIABLE_FUNCTION_GET_VARIABLE"
        case .getNextVariableName: return "SMM_VARIABLE_FUNCTION_GET_NEXT_VARIABLE_NAME"
        case .setVariable: return "SMM_VARIABLE_FUNCTION_SET_VARIABLE"
        case .queryVariableInfo: return "SMM_VARIABLE_FUNCTION_QUERY_VARIABLE_INFO"
        case .readyToBoot: return "SMM_VARIABLE_FUNCTION_READY_TO_BOOT"
        case .exitBootService: return "SMM_VARIABLE_FUNCTION_EXIT_BOOT_SERVICE"
        case .getStatistics: return "SMM_VARIABLE_FUNCTION_GET_STATISTICS"
        case .lockVariable: return "SMM_VARIABLE_FUNCTION_LOCK_VARIABLE"
        case .varCheckVariablePropertySet: return "SMM_VARIABLE_FUNCTION_VAR_CHECK_VARIABLE_PROPERTY_SET"
        case .varCheckVariablePropertyGet: return "SMM_VARIABLE_FUNCTION_VAR_CHECK_VARIABLE_PROPERTY_GET"
        case .getPayloadSize: return "SMM_VARIABLE_FUNCTION_GET_PAYLOAD_SIZE"
        case .initRuntimeVariableCacheContext: return "SMM_VARIABLE_FUNCTION_INIT_RUNTIME_VARIABLE_CACHE_CONTEXT"
        case .syncRuntimeCache: return "SMM_VARIABLE_FUNCTION_SYNC_RUNTIME_CACHE"
        case .getRuntimeCacheInfo: return "SMM_VARIABLE_FUNCTION_GET_RUNTIME_CACHE_INFO"
        }
    }
}
