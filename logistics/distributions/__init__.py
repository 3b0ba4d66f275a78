"""Aid hand-outs to households, persons and institutions, with the double-aid guard."""
