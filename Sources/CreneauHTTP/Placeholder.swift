enum _PlaceholderCreneauHTTP {}
