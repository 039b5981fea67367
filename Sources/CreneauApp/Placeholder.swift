enum _PlaceholderCreneauApp {}
