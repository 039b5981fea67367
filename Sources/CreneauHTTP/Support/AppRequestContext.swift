import CreneauDomain
import Hummingbird
import NIOCore

/// The request context of every Creneau route: who is asking, once
/// `AuthenticationMiddleware` has read their token (nil for visitors).
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthenticationMiddleware` from a valid bearer token.
    public var identity: Identity?
    /// The session token of this request (bearer or cookie), to sign it out.
    var sessionToken: String?
    /// How the session came: a bearer header or the browser's cookie.
    var sessionKind: SessionRecord.Kind = .api
    /// The client's address, for rate limits (nil in in-process tests).
    public let remoteAddress: SocketAddress?
    /// The client's address as `ClientAddressMiddleware` works it out (proxies considered).
    public var clientAddress = "local"

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    /// Who is asking, as the booking rules see them.
    public var booker: Booker { identity?.booker ?? .visitor }
}

/// Routes for anyone signed in: the identity cannot be missing.
public struct SignedInContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let identity: Identity
    let sessionToken: String
    let sessionKind: SessionRecord.Kind

    public init(context: AppRequestContext) throws {
        guard let identity = context.identity, let token = context.sessionToken else {
            throw APIError(.unauthorized, code: "sign_in_required", message: "Sign in first.")
        }
        self.coreContext = context.coreContext
        self.identity = identity
        self.sessionToken = token
        self.sessionKind = context.sessionKind
    }
}

/// Routes for the hospital's staff (secretary, practitioner, admins): the staff booker cannot be missing.
public struct StaffContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let identity: Identity
    public let booker: Booker

    public init(context: AppRequestContext) throws {
        guard let identity = context.identity else {
            throw APIError(.unauthorized, code: "sign_in_required", message: "Sign in as a member of staff first.")
        }
        guard identity.isStaff else {
            throw APIError(.forbidden, code: "staff_only", message: "This is for the hospital's staff.")
        }
        self.coreContext = context.coreContext
        self.identity = identity
        self.booker = identity.booker
    }
}

/// Routes for a patient's own account (relatives, their appointments): the patient role cannot be missing.
public struct PatientContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let identity: Identity

    public init(context: AppRequestContext) throws {
        guard let identity = context.identity else {
            throw APIError(.unauthorized, code: "sign_in_required", message: "Sign in first.")
        }
        guard identity.roles.contains(.patient) else {
            throw APIError(.forbidden, code: "patients_only", message: "This is for patients' own accounts.")
        }
        self.coreContext = context.coreContext
        self.identity = identity
    }
}
