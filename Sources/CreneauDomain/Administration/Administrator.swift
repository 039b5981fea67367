import Foundation

/// What a signed-in administrator may set up, from their role grants: group administrators
/// their groups (every site in them; `everywhere` for a grant without scope), site
/// administrators their sites.
public struct Administrator: Hashable, Sendable {
    public let accountID: UUID
    public let everywhere: Bool
    public let groups: Set<UUID>
    public let sites: Set<UUID>

    public init(accountID: UUID, everywhere: Bool = false, groups: Set<UUID> = [], sites: Set<UUID> = []) {
        self.accountID = accountID
        self.everywhere = everywhere
        self.groups = groups
        self.sites = sites
    }

    /// Nil for an identity without an administrator's grant.
    public init?(_ identity: Identity) {
        var everywhere = false, groups = Set<UUID>(), sites = Set<UUID>()
        for grant in identity.grants {
            switch (grant.role, grant.scope) {
            case (.groupAdmin, .everywhere), (.siteAdmin, .everywhere): everywhere = true
            case (.groupAdmin, .group(let id)): groups.insert(id)
            case (.siteAdmin, .site(let id)): sites.insert(id)
            default: break
            }
        }
        guard everywhere || !groups.isEmpty || !sites.isEmpty else { return nil }
        self.init(accountID: identity.account.id, everywhere: everywhere, groups: groups, sites: sites)
    }

    /// Creates sites and departments in the group.
    public func administersGroup(_ groupID: UUID) -> Bool { everywhere || groups.contains(groupID) }

    /// Sets up the site: its departments' switches, practitioners, rooms, motives, closures.
    public func administers(_ site: Site) -> Bool { administersGroup(site.groupID) || sites.contains(site.id) }
}
