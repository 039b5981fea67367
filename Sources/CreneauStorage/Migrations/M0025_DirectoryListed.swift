extension Migration {
    /// What an import run listed, appended batch by batch (`COPY` on PostgreSQL) with no index:
    /// a refresh no longer marks each professional it finds unchanged (a new row version and an
    /// entry in every index, 60% of PostgreSQL's refresh); the run's end deactivates by anti-join
    /// against this list, and rebuilds the main place and towns of the professionals listed in
    /// several batches from their first. Emptied when a run ends or begins. A first import (into an
    /// empty directory: `directory_imports.first_import`) needs no list: nobody can be missing, and
    /// every professional it lists is written.
    static let directoryListed = Migration("0025_directory_listed", [
        .both("""
            CREATE TABLE directory_listed (
                run BIGINT NOT NULL,
                batch INTEGER NOT NULL,
                national_id TEXT NOT NULL,
                place_key TEXT NOT NULL
            )
            """),
        .both("ALTER TABLE directory_imports ADD COLUMN first_import BOOLEAN NOT NULL DEFAULT FALSE"),
    ])
}
