import CreneauDomain
import Hummingbird

/// Pages for staff (the agenda, phone booking): the route's one check, as `StaffContext` is
/// for the API. Anyone else is sent to the sign-in page (`PageErrorRenderer`).
public struct StaffPageContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The request's own context, for what every page reads (language, CSRF, parameters).
    public let app: AppRequestContext
    public let identity: Identity
    public let booker: Booker

    public init(context: AppRequestContext) throws {
        guard let identity = context.identity, identity.isStaff else { throw PageSignInRequired() }
        self.coreContext = context.coreContext
        self.app = context
        self.identity = identity
        self.booker = identity.booker
    }
}

/// Pages for site and group administrators (motives, weekly templates).
public struct AdminPageContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let app: AppRequestContext
    public let booker: Booker
    /// What the grants let them set up (sites, groups).
    public let administrator: Administrator

    public init(context: AppRequestContext) throws {
        guard let identity = context.identity, !identity.roles.isDisjoint(with: [.siteAdmin, .groupAdmin]),
              let administrator = Administrator(identity) else { throw PageSignInRequired() }
        self.coreContext = context.coreContext
        self.app = context
        self.booker = identity.booker
        self.administrator = administrator
    }
}

/// A page for signed-in staff or administrators, asked by someone else: to the sign-in page.
struct PageSignInRequired: Error {
    /// The code `ErrorMapping` gives it, by which `PageErrorRenderer` knows to redirect.
    static let code = "page_sign_in"
}

/// A page for a signed-in referring doctor (the city doctors' portal).
public struct ReferrerPageContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let app: AppRequestContext
    public let booker: Booker

    public init(context: AppRequestContext) throws {
        guard let identity = context.identity, case .referringDoctor = identity.booker.kind else { throw PageSignInRequired() }
        self.coreContext = context.coreContext
        self.app = context
        self.booker = identity.booker
    }
}
