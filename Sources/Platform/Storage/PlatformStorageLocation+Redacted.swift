extension PlatformStorageLocation {
    /// A storage location as it may be shown or used in a file name: a PostgreSQL URL without its password.
    public static func redacted(_ location: String) -> String {
        location.hasPrefix("postgres") ? PostgresURL.redact(location) : location
    }
}
