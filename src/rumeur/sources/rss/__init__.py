"""RSS, Atom and JSON Feed: blogs, forums and news sites, and their entries."""
