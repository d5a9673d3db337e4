/// One search parameter of one resource type: its name, type and where its values come from (dot paths into the
/// resource JSON; arrays are walked).
public struct SearchParameterDefinition: Sendable {
    public let name: String
    public let type: SearchParamType
    public let paths: [String]
    /// For reference parameters that only match one target type (e.g. `patient` matches `Patient/...`).
    public let targetType: String?
    public let documentation: String

    public init(_ name: String, _ type: SearchParamType, _ paths: [String], target: String? = nil, _ documentation: String) {
        self.name = name
        self.type = type
        self.paths = paths
        self.targetType = target
        self.documentation = documentation
    }
}
