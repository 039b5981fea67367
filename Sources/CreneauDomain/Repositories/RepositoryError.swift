/// What storage tells the rest of Creneau when a write cannot be done. The
/// database enforces the invariants; this names which one refused.
public enum RepositoryError: Error, Equatable, Sendable {
    /// No row has this identifier.
    case notFound(entity: String, id: String)
    /// A UNIQUE rule refused a second copy (e.g. an email already used).
    case duplicate(constraint: String)
    /// A row refers to something that does not exist, or something still referred to was deleted.
    case missingReference(constraint: String)
    /// A CHECK or NOT NULL rule refused a value (e.g. a negative duration).
    case invalidValue(constraint: String)
    /// The database cannot be reached or answered with an error that is not about the data.
    case unavailable(String)
}
