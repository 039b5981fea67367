extension Migration {
    /// What each practitioner's published slots were computed from (`SlotPublication`'s key: the
    /// day, the configuration's, the practitioner's and their rooms' versions). Kept with the
    /// publication, so that an instance that starts (a restart, an upgrade, a second instance)
    /// recomputes only the practitioners whose agenda moved, not the whole group (minutes of a
    /// core at AP-HP's scale, while it already serves).
    static let publicationKeys = Migration("0030_publication_keys", [
        .both("ALTER TABLE slot_publications ADD COLUMN computed_from TEXT"),
    ])
}
