# The registry and learning models come with the registry and learning issues.
