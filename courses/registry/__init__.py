"""Who learns where: administrative units in both structures, cadres, scopes and imports."""
