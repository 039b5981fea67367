import Hummingbird

/// The request context of every Creneau route. Authentication (issue "Accounts,
/// roles…") extends it with typed contexts in which the user cannot be missing.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    public init(source: Source) {
        self.coreContext = .init(source: source)
    }
}
