/// The screens of the app.
public enum ScreenID: String, Sendable, CaseIterable {
    case search, overview, detail, timeline, trends, notifications, help, accessLog, summary, apps
}
