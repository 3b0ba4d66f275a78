"""Field kitchens (dapur umum lapangan): meals cooked and served from stock."""
