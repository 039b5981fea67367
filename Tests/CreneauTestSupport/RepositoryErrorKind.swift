import CreneauDomain

/// Which invariant refused, without the constraint name (which differs between engines).
public enum RepositoryErrorKind: Equatable, Sendable {
    case notFound, duplicate, missingReference, invalidValue, unavailable, otherError, none
}

/// Runs a write that should fail and says how it failed.
public func failure(_ body: () async throws -> Void) async -> RepositoryErrorKind {
    do {
        try await body()
        return .none
    } catch let error as RepositoryError {
        switch error {
        case .notFound: return .notFound
        case .duplicate: return .duplicate
        case .missingReference: return .missingReference
        case .invalidValue: return .invalidValue
        case .unavailable: return .unavailable
        }
    } catch {
        return .otherError
    }
}
